# Sourced by the scripts: repo root, one shared cargo target directory, quiet installers.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# The uniffi generator (tools/uniffi-bindgen, a workspace of its own; a debug build is plenty),
# in a target directory of its own, so that its dependencies' features never mix with the
# shipped libraries'. Built by scripts/gen-bindings.sh when needed (check-bindings-fresh.sh skips
# it when the recorded fingerprint matches).
UNIFFI_BINDGEN="$CARGO_TARGET_DIR/uniffi-bindgen/debug/uniffi-bindgen"
# A host tool, built the same way by every caller: without scripts/native.sh's zig wrappers
# (their CC_/AR_/linker settings for x86_64-unknown-linux-gnu also apply to host builds, and
# cargo rebuilds every crate when they differ).
build_uniffi_bindgen() {
  env -u CC_x86_64_unknown_linux_gnu -u CXX_x86_64_unknown_linux_gnu \
    -u AR_x86_64_unknown_linux_gnu -u RANLIB_x86_64_unknown_linux_gnu \
    -u CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER \
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/uniffi-bindgen" \
    cargo build -q --manifest-path "$REPO/tools/uniffi-bindgen/Cargo.toml"
}
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# `tally KIND NAME CMD...`: runs one check of a series (after `set +e`), counting it in $passed
# or $failed, so every check runs even when an earlier one failed and the script can end with
# "KIND: N passed, M failed".
passed=0; failed=0
tally() {
  local kind="$1" name="$2"; shift 2
  step "$kind: $name"
  if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); echo "$kind $name FAILED"; fi
}

# The OAuth 2.0 / OIDC mock server of the Kotlin and Swift OAuth and remote-JWKS tests (tests/oauth/mock-server.mjs:
# oauth2-mock-server from node/node_modules, so `npm install` in node/ first). Started here on
# 127.0.0.1, announced to the tests in TOKENWARD_OAUTH_ISSUER, stopped when this script exits
# (it also exits by itself when its stdin closes).
MOCK_PID=""
stop_oauth_mock() {
  if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; MOCK_PID=""; fi
}
start_oauth_mock() {
  [ -d "$REPO/node/node_modules/oauth2-mock-server" ] \
    || { echo "oauth2-mock-server is missing: run npm install in node/" >&2; exit 1; }
  coproc OAUTH_MOCK { exec node "$REPO/tests/oauth/mock-server.mjs"; }
  MOCK_PID="$OAUTH_MOCK_PID"
  local line=""
  IFS= read -r -t 30 line <&"${OAUTH_MOCK[0]}" || true
  TOKENWARD_OAUTH_ISSUER="$(printf '%s' "$line" | sed -n 's/.*"issuer":"\([^"]*\)".*/\1/p')"
  [ -n "$TOKENWARD_OAUTH_ISSUER" ] || { echo "the OAuth mock server did not start: $line" >&2; exit 1; }
  export TOKENWARD_OAUTH_ISSUER
  echo "oauth mock server: $TOKENWARD_OAUTH_ISSUER" >&2
}

# `unpacked_once ARCHIVE KIND`: prints a directory outside the repository holding ARCHIVE's
# contents (a .crate or an sdist), named after a hash of those contents -- not of the archive's
# bytes, whose timestamps change with every pack. An archive whose contents did not change since
# the last run finds that run's directory with its files untouched, so cargo sees them fresh and
# compiles nothing again (the consumer suites build these trees in the shared target directory);
# any change gives a new directory, built from scratch. Older directories of KIND are removed.
unpacked_once() {
  local archive="$1" kind="$2" root key dir
  root="${XDG_CACHE_HOME:-$HOME/.cache}/tokenward/unpacked"
  key="$( (tar -tzf "$archive" && tar -xzOf "$archive") | sha256sum | cut -c1-16)" || return 1
  dir="$root/$kind-$key"
  if [ ! -d "$dir" ]; then
    mkdir -p "$root" && rm -rf "$root/$kind"-* \
      && mkdir "$dir.partial" && tar xzf "$archive" -C "$dir.partial" \
      && mv "$dir.partial" "$dir" || return 1
  fi
  printf '%s\n' "$dir"
}

# `write_if_changed FILE`: stdin into FILE, leaving FILE (and its timestamp) alone when it already
# holds exactly that, so cargo does not rebuild what reads it.
write_if_changed() {
  local new="$1.new.$$"
  cat >"$new" && if cmp -s "$new" "$1"; then rm -f "$new"; else mv -f "$new" "$1"; fi
}

# A TLS server on 127.0.0.1 that requires a client certificate (tests/oauth/mtls-server.mjs), for
# the Swift mTLS client-authentication test: it writes its test CA, client certificate and key
# into directory $1 and is announced in TOKENWARD_MTLS_URL; stopped by stop_mtls_server.
MTLS_PID=""
stop_mtls_server() {
  if [ -n "$MTLS_PID" ]; then kill "$MTLS_PID" 2>/dev/null || true; MTLS_PID=""; fi
}
start_mtls_server() {
  local dir="$1" i
  mkdir -p "$dir"
  rm -f "$dir/url"
  node "$REPO/tests/oauth/mtls-server.mjs" "$dir" </dev/null >"$dir/server.log" 2>&1 &
  MTLS_PID=$!
  for i in $(seq 1 100); do [ -s "$dir/url" ] && break; sleep 0.1; done
  TOKENWARD_MTLS_URL="$(cat "$dir/url" 2>/dev/null || true)"
  [ -n "$TOKENWARD_MTLS_URL" ] || { echo "the mTLS server did not start: $(cat "$dir/server.log")" >&2; exit 1; }
  export TOKENWARD_MTLS_URL
  echo "mTLS server: $TOKENWARD_MTLS_URL" >&2
}
