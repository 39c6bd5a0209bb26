#!/usr/bin/env python3
"""Reads cargo's JSON messages (--message-format=json-render-diagnostics) on stdin and creates
the file named by argv[1] as soon as the CLI binary and the uniffi library are built, while
cargo goes on compiling the Rust test binaries in the same run (scripts/native.sh,
build_cli_and_ffi --with-tests). scripts/test-all.sh starts its Kotlin/Swift lane on that file.
Reads to the end, so cargo never writes into a closed pipe."""
import json
import sys

# (target name, kind) of the artifacts the Kotlin/Swift lane loads or runs.
WANTED = {("tokenward_ffi", "cdylib"), ("tokenward", "bin")}

seen = set()
for line in sys.stdin:
    if seen == WANTED or not line.startswith("{"):
        continue
    message = json.loads(line)
    if message.get("reason") != "compiler-artifact" or message["profile"]["test"]:
        continue
    for kind in message["target"]["kind"]:
        seen.add((message["target"]["name"], kind))
    seen &= WANTED
    if seen == WANTED:
        open(sys.argv[1], "w").close()
