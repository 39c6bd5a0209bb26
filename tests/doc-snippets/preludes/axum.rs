// docs/gateway.md (axum): the names the block uses, an authenticator and a listener.
# use std::{net::SocketAddr, sync::Arc};
# use axum::{Extension, Router, extract::ConnectInfo, routing::get};
# let auth = Arc::new(tokenward::gateway::Authenticator::builder().build()?);
# let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
