// README.md (Rust): the token the block reads from the environment.
# unsafe { std::env::set_var("UPSTREAM_TOKEN", "doc-snippet-upstream-token") };
