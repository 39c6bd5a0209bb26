// docs/oauth.md (Rust): the names the block uses, and the outgoing request it authorizes.
# use tokenward::Secret;
# use tokenward::oauth::{OAuthClient, OAuthClientOptions};
# use tokenward::refresh::{TokenSource, TokenSourceOptions};
# let request = reqwest::Client::new().get("https://api.example/v1/things");
