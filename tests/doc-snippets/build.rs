//! Extracts the ```rust blocks of README.md and docs/*.md into $OUT_DIR/snippets.rs: one empty
//! module per block whose doc comment is the block as a doctest. The fence markers are those of
//! tests/tools/doc_snippets.py: `no-run=<reason>` (compiled, not run; `sketch`: not compiled) and
//! `setup=<name>` (preludes/<name>.rs first). An unknown marker fails the build.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

const NO_RUN_REASONS: [&str; 4] = ["network", "server", "manifest", "sketch"];

struct Block {
    file: String,
    line: usize,
    no_run: Option<String>,
    setup: Option<String>,
    code: String,
}

fn blocks_of(repo: &Path, rel: &str) -> Vec<Block> {
    let text = fs::read_to_string(repo.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        let indent = lines[i].len() - trimmed.len();
        let fence_len = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .count();
        if fence_len < 3 || trimmed[fence_len..].contains('`') {
            i += 1;
            continue;
        }
        let fence = &trimmed[..fence_len];
        let info = trimmed[fence_len..].trim();
        let start = i;
        let mut body = Vec::new();
        i += 1;
        while i < lines.len()
            && !(lines[i].trim().starts_with(fence)
                && lines[i]
                    .trim()
                    .trim_matches(fence.as_bytes()[0] as char)
                    .is_empty())
        {
            let line = lines[i];
            body.push(
                if line.len() >= indent && line[..indent].trim().is_empty() {
                    &line[indent..]
                } else {
                    line.trim_start()
                },
            );
            i += 1;
        }
        assert!(i < lines.len(), "{rel}:{}: unclosed code fence", start + 1);
        i += 1;
        let mut words = info.split_whitespace();
        if words.next() != Some("rust") {
            continue;
        }
        let (mut no_run, mut setup) = (None, None);
        for word in words {
            match word.split_once('=') {
                Some(("no-run", reason)) if NO_RUN_REASONS.contains(&reason) => {
                    no_run = Some(reason.to_string())
                }
                Some(("setup", name)) if !name.is_empty() => setup = Some(name.to_string()),
                // Runs against the OAuth mock server in the other suites; not used here.
                Some(("issuer", url)) if url.starts_with("https://") => {}
                _ => panic!(
                    "{rel}:{}: unknown marker {word:?} (known: no-run=<{}>, setup=<name>, issuer=<https://…>)",
                    start + 1,
                    NO_RUN_REASONS.join("|")
                ),
            }
        }
        out.push(Block {
            file: rel.to_string(),
            line: start + 1,
            no_run,
            setup,
            code: body.join("\n"),
        });
    }
    out
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let repo = manifest.join("../..");
    let mut pages = vec!["README.md".to_string()];
    let mut docs: Vec<String> = fs::read_dir(repo.join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    docs.sort();
    pages.extend(docs);
    println!("cargo::rerun-if-changed=../../docs");
    println!("cargo::rerun-if-changed=preludes");

    let mut out = String::new();
    for page in &pages {
        println!("cargo::rerun-if-changed=../../{page}");
        for block in blocks_of(&repo, page) {
            let prelude = match &block.setup {
                Some(name) => {
                    fs::read_to_string(manifest.join("preludes").join(format!("{name}.rs")))
                        .unwrap_or_else(|_| {
                            panic!(
                                "{}:{}: setup={name} has no tests/doc-snippets/preludes/{name}.rs",
                                block.file, block.line
                            )
                        })
                }
                None => String::new(),
            };
            // README's own hidden `# Ok::<(), E>(())` ends a doctest without a wrapper; this one has one.
            let code: String = block
                .code
                .lines()
                .filter(|l| !l.trim_start().starts_with("# Ok::<"))
                .map(|l| format!("{l}\n"))
                .collect();
            let asynchronous = code.contains(".await") || prelude.contains(".await");
            let attr = match block.no_run.as_deref() {
                Some("sketch") => "ignore",
                Some(_) => "no_run",
                None => "",
            };
            let body = format!("{prelude}\n{code}");
            let program = if asynchronous {
                format!(
                    "# fn main() {{\n# async fn snippet() -> Result<(), Box<dyn std::error::Error>> {{\n{body}\n# Ok(())\n# }}\n# tokio::runtime::Runtime::new().unwrap().block_on(snippet()).unwrap();\n# }}\n"
                )
            } else {
                format!(
                    "# fn main() {{\n# fn snippet() -> Result<(), Box<dyn std::error::Error>> {{\n{body}\n# Ok(())\n# }}\n# snippet().unwrap();\n# }}\n"
                )
            };
            let name = format!(
                "{}_{}",
                block.file.replace(['/', '.', '-'], "_"),
                block.line
            );
            let doc = format!(
                "{}:{}\n\n```rust,{attr}\n{program}```\n",
                block.file, block.line
            );
            writeln!(out, "#[doc = {doc:?}]\npub mod {name} {{}}").expect("write to a String");
        }
    }
    fs::write(
        PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("snippets.rs"),
        out,
    )
    .expect("write snippets.rs");
}
