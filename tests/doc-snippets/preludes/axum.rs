// docs/gateway.md (axum): the names the block uses, an authenticator and a listener.
# use std::{net::SocketAddr, sync::Arc};
# use axum::{Extension, Router, extract::ConnectInfo, routing::get};
# use tokenward::gateway::{Authenticator, AuthenticatorOptions};
# let auth = Arc::new(Authenticator::new(AuthenticatorOptions::new())?);
# let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
