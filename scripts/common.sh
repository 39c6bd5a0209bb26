# Sourced by the scripts: repo root, one shared cargo target directory, quiet installers.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
