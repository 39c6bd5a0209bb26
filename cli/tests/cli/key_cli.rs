//! `tokenward key …` end to end on a SQLite file.

use std::process::Output;

/// The CLI with the test pepper in its environment (`--pepper-env TW_TEST_PEPPER`).
fn tokenward(args: &[&str], stdin: &str) -> Output {
    super::commands::tokenward(
        args,
        stdin,
        &[("TW_TEST_PEPPER", "a-long-server-side-pepper-value!")],
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn new_check_verify_rotate_revoke_list() {
    let dir = std::env::temp_dir().join(format!("tw-cli-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("keys.db");
    let db = db.to_str().unwrap();
    let pep = ["--pepper-env", "TW_TEST_PEPPER"];

    let new = tokenward(
        &[
            &[
                "key", "new", "--db", db, "--prefix", "tw_live", "--owner", "alice", "--scope",
                "read",
            ][..],
            &pep[..],
        ]
        .concat(),
        "",
    );
    assert!(new.status.success(), "{new:?}");
    let key = stdout(&new).trim().to_owned();
    assert!(key.starts_with("tw_live_") && key.len() == 58);
    assert!(!String::from_utf8_lossy(&new.stderr).contains(&key[20..]));

    let check = tokenward(&["key", "check"], &format!("{key}\n"));
    assert!(check.status.success());
    let id = stdout(&check)
        .split("id=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();

    let verify = tokenward(
        &[&["key", "verify", "--db", db][..], &pep[..]].concat(),
        &key,
    );
    assert!(verify.status.success(), "{verify:?}");
    assert!(stdout(&verify).contains("owner=alice") && !stdout(&verify).contains(&key[20..]));
    // Without the pepper the stored hash does not match.
    let no_pepper = tokenward(&["key", "verify", "--db", db], &key);
    assert!(String::from_utf8_lossy(&no_pepper.stderr).contains("unknown_key"));

    let typo = format!(
        "{}{}",
        &key[..key.len() - 1],
        if key.ends_with('a') { 'b' } else { 'a' }
    );
    let bad = tokenward(&["key", "check"], &typo);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("checksum_mismatch"));

    let rotate = tokenward(
        &[
            &["key", "rotate", "--db", db, "--overlap", "60", &id][..],
            &pep[..],
        ]
        .concat(),
        "",
    );
    assert!(rotate.status.success(), "{rotate:?}");
    let successor = stdout(&rotate).trim().to_owned();
    assert!(successor.starts_with("tw_live_") && successor != key);

    let revoke = tokenward(&["key", "revoke", "--db", db, &id], "");
    assert!(stdout(&revoke).contains("status=revoked"));
    let refused = tokenward(
        &[&["key", "verify", "--db", db][..], &pep[..]].concat(),
        &key,
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("revoked"));

    let list = tokenward(&["key", "list", "--db", db, "--owner", "alice"], "");
    assert_eq!(stdout(&list).lines().count(), 2);

    let on_disk: Vec<u8> = std::fs::read_dir(&dir)
        .unwrap()
        .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    for k in [&key, &successor] {
        assert!(!on_disk.windows(k.len()).any(|w| w == k.as_bytes()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--db postgres://…`: keys created by one invocation verify and revoke from the next (a
/// database shared by processes). TOKENWARD_TEST_POSTGRES_URL comes from scripts/servers.sh.
#[test]
fn keys_live_in_postgres_with_db_url() {
    let url = match std::env::var("TOKENWARD_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "TOKENWARD_TEST_POSTGRES_URL is not set: run the tests through scripts/servers.sh"
            )
        }
        _ => return eprintln!("skipped: TOKENWARD_TEST_POSTGRES_URL is not set"),
    };
    let owner = format!("cli-{}", std::process::id());
    let pep = ["--pepper-env", "TW_TEST_PEPPER"];
    let new = tokenward(
        &[
            &[
                "key", "new", "--db", &url, "--prefix", "tw_pg", "--owner", &owner,
            ][..],
            &pep[..],
        ]
        .concat(),
        "",
    );
    assert!(new.status.success(), "{new:?}");
    let key = stdout(&new).trim().to_owned();
    let verify = tokenward(
        &[&["key", "verify", "--db", &url][..], &pep[..]].concat(),
        &key,
    );
    assert!(verify.status.success(), "{verify:?}");
    assert!(stdout(&verify).contains(&format!("owner={owner}")));
    let list = tokenward(
        &[
            &["key", "list", "--db", &url, "--owner", &owner][..],
            &pep[..],
        ]
        .concat(),
        "",
    );
    assert!(list.status.success(), "{list:?}");
    assert_eq!(stdout(&list).lines().count(), 1);
    // `key verify` prints the record: the id first.
    let id = stdout(&verify)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let revoke = tokenward(
        &[&["key", "revoke", "--db", &url, &id][..], &pep[..]].concat(),
        "",
    );
    assert!(revoke.status.success(), "{revoke:?}");
    let again = tokenward(
        &[&["key", "verify", "--db", &url][..], &pep[..]].concat(),
        &key,
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("revoked"),
        "{again:?}"
    );
    // The URL's password never reaches the output.
    let bad = tokenward(
        &[
            "key",
            "list",
            "--db",
            "postgres://u:hunter2@127.0.0.1:1/x",
            "--owner",
            "o",
        ],
        "",
    );
    assert!(!bad.status.success());
    assert!(!String::from_utf8_lossy(&bad.stderr).contains("hunter2"));
}
