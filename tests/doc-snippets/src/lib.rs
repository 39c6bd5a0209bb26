//! The Rust code blocks of the repository's README.md and docs/*.md, as doctests:
//! `cargo test -p tokenward-doc-snippets --doc` compiles and runs each one, so a renamed or
//! removed name in the documentation fails the `rust` suite. build.rs extracts the blocks (same
//! markers as tests/tools/doc_snippets.py) into one empty module per block, named after its
//! page and line, and wraps each in a `main` after its `setup=` prelude (preludes/*.rs).
#![allow(non_snake_case)]
include!(concat!(env!("OUT_DIR"), "/snippets.rs"));
