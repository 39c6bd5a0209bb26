//! The uniffi generator, pinned to the uniffi version of the main workspace (see Cargo.toml).
fn main() {
    uniffi::uniffi_bindgen_main()
}
