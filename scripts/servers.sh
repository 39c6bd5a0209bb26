# Sourced by the test scripts: a throw-away Redis and PostgreSQL on loopback for the suites of
# the shared backends (docs/distributed.md). `ensure_test_servers` installs redis-server and
# PostgreSQL from Debian's packages when missing, starts both on free ports in a temporary
# directory (PostgreSQL as an unprivileged user when run as root: it refuses root), and exports
# TOKENWARD_TEST_REDIS_URL and TOKENWARD_TEST_POSTGRES_URL. When both variables are already set
# (scripts/test-all.sh starts the servers once for both lanes) it does nothing. `stop_test_servers`
# stops what this shell started and deletes the directory; call it from an EXIT trap.
TEST_SERVERS_DIR=""

_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_test_servers() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  _pg_bin >/dev/null || missing+=(postgresql)
  [ ${#missing[@]} = 0 ] && return 0
  echo "installing ${missing[*]} from Debian's packages" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # The packages start system-wide servers on the default ports; the tests use their own.
  if command -v service >/dev/null; then
    service redis-server stop >/dev/null 2>&1 || true
    service postgresql stop >/dev/null 2>&1 || true
  fi
}

stop_test_servers() {
  [ -n "$TEST_SERVERS_DIR" ] || return 0
  local dir="$TEST_SERVERS_DIR" pgbin
  TEST_SERVERS_DIR=""
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  if pgbin="$(_pg_bin)" && [ -f "$dir/pg/postmaster.pid" ]; then
    _as_pg_user "$pgbin/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  unset TOKENWARD_TEST_REDIS_URL TOKENWARD_TEST_POSTGRES_URL
}

# PostgreSQL refuses to run as root: as root, run it as `nobody`.
_as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

start_test_servers() {
  install_test_servers
  TEST_SERVERS_DIR="$(mktemp -d /tmp/tokenward-servers.XXXXXX)"
  chmod 755 "$TEST_SERVERS_DIR"
  local dir="$TEST_SERVERS_DIR" redis_port pg_port pgbin
  redis_port="$(_free_port)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
    --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  local i
  for i in $(seq 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redis_port" ping >/dev/null || { cat "$dir/redis.log" >&2; return 1; }

  pgbin="$(_pg_bin)"
  pg_port="$(_free_port)"
  mkdir -p "$dir/pg"
  [ "$(id -u)" = 0 ] && chown nobody "$dir/pg"
  _as_pg_user "$pgbin/initdb" -D "$dir/pg" -U tokenward -A trust --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  _as_pg_user "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$dir/pg -c fsync=off -c max_connections=200" \
    start >/dev/null || { cat "$dir/pg/server.log" >&2; return 1; }

  export TOKENWARD_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/"
  export TOKENWARD_TEST_POSTGRES_URL="postgres://tokenward@127.0.0.1:$pg_port/postgres"
  echo "test servers: $TOKENWARD_TEST_REDIS_URL $TOKENWARD_TEST_POSTGRES_URL" >&2
}

ensure_test_servers() {
  if [ -n "${TOKENWARD_TEST_REDIS_URL:-}" ] && [ -n "${TOKENWARD_TEST_POSTGRES_URL:-}" ]; then
    return 0
  fi
  start_test_servers
}
