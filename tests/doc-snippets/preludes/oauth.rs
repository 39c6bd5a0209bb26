// docs/oauth.md (Rust): the names the block uses, and the outgoing request it authorizes.
# use tokenward::Secret;
# use tokenward::oauth::OAuthClient;
# use tokenward::refresh::{RefreshOptions, TokenSource};
# let request = reqwest::Client::new().get("https://api.example/v1/things");
