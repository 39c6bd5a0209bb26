//! Every fuzz target of `fuzz/fuzz_targets/` on every input of its committed corpus, with stable
//! Rust and no libFuzzer: the shim's `fuzz_target!` turns each target's body into `fuzz_one`.

macro_rules! targets {
    ($($name:ident => $path:literal),* $(,)?) => {
        $(
            // The target's `#![no_main]` is for cargo-fuzz, where each target is a crate.
            #[allow(unused_attributes)]
            #[path = $path]
            mod $name;

            #[test]
            fn $name() {
                let ran = tokenward_fuzz_replay::replay(stringify!($name), $name::fuzz_one);
                println!("{}: {ran} corpus inputs", stringify!($name));
            }
        )*

        /// A target added to fuzz/fuzz_targets/ must be replayed here too.
        #[test]
        fn every_target_is_replayed() {
            let listed = [$(stringify!($name)),*];
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz_targets");
            let mut found: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".rs").map(str::to_owned))
                .collect();
            found.sort();
            let mut listed: Vec<&str> = listed.to_vec();
            listed.sort();
            assert_eq!(found, listed);
        }
    };
}

targets!(
    jwt_verify => "../../fuzz_targets/jwt_verify.rs",
    jwt_scan_diff => "../../fuzz_targets/jwt_scan_diff.rs",
    b64_diff => "../../fuzz_targets/b64_diff.rs",
    redact_chunking => "../../fuzz_targets/redact_chunking.rs",
    jwk_import => "../../fuzz_targets/jwk_import.rs",
    gateway_extract => "../../fuzz_targets/gateway_extract.rs",
    oauth_parse => "../../fuzz_targets/oauth_parse.rs",
    apikey_parse => "../../fuzz_targets/apikey_parse.rs",
);
