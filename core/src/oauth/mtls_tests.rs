//! Unit tests of `mtls.rs`: errors for bad certificates and keys quote neither.
#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn bad_pem_is_invalid_key_and_quotes_nothing() {
    // Not key material: PEM armour around base64 of the word "secret", to check that the
    // key's text never reaches an error.
    let key =
        Secret::new("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----").unwrap();
    let e = ClientCertificate::from_pem("not a certificate", key.clone()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidKey);
    let e = ClientCertificate::from_pem(
        "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----",
        key,
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidKey);
    assert!(!format!("{e:?}{e}").contains("c2VjcmV0"));
    let e = tls_client(None, Some("nothing")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidKey);
}
