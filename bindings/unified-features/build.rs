// Empty: it only makes cargo compile the [build-dependencies] (see Cargo.toml).
fn main() {}
