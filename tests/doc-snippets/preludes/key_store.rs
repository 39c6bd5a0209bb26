// docs/apikeys.md (Rust): a directory of its own for keys.db, and the pepper from the environment.
# let dir = std::env::temp_dir().join(format!("tw-doc-snippet-{}", std::process::id()));
# std::fs::create_dir_all(&dir)?;
# std::env::set_current_dir(&dir)?;
# unsafe { std::env::set_var("TW_PEPPER", "doc-snippet-pepper-0123456789") };
