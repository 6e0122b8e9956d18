# Finds PostgreSQL and Redis for the test suite, or starts throwaway ones. Sourced by bin/test.
#
# Order: DATABASE_URL / REDIS_URL when given; the servers on 127.0.0.1 when they answer;
# otherwise throwaway servers from the system's binaries (installed from Debian's packages when
# missing and running as root), stopped again when the tests end.
# MM_THROWAWAY_SERVICES=1 skips the 127.0.0.1 look-up, to try the throwaway path.

MM_STARTED_DIR=""

mm_port_answers() {  # host port
  python - "$1" "$2" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

mm_free_port() {
  python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

mm_apt_install() {  # package
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "!! $1 is not installed and cannot be installed here (needs root and apt-get)." >&2
    return 1
  fi
  echo "==> Installing $1 from Debian's packages"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  fi
}

mm_services_stop() {
  [ -n "$MM_STARTED_DIR" ] || return 0
  if [ -f "$MM_STARTED_DIR/redis.pid" ]; then
    kill "$(cat "$MM_STARTED_DIR/redis.pid")" 2>/dev/null || true
  fi
  if [ -d "$MM_STARTED_DIR/pgdata" ]; then
    local pg_ctl
    pg_ctl=$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
    if [ "$(id -u)" = "0" ]; then
      runuser -u postgres -- "$pg_ctl" -D "$MM_STARTED_DIR/pgdata" -m fast stop >/dev/null 2>&1 || true
    else
      "$pg_ctl" -D "$MM_STARTED_DIR/pgdata" -m fast stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$MM_STARTED_DIR"
}

mm_start_postgres() {
  local bin_dir
  bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin_dir" ]; then
    mm_apt_install postgresql
    bin_dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  local port; port=$(mm_free_port)
  local data="$MM_STARTED_DIR/pgdata"
  local as_user=()
  if [ "$(id -u)" = "0" ]; then
    # PostgreSQL refuses to run as root: run it as the postgres user the package created.
    chown postgres "$MM_STARTED_DIR"
    as_user=(runuser -u postgres --)
  fi
  echo "==> Starting a throwaway PostgreSQL on 127.0.0.1:$port"
  "${as_user[@]}" "$bin_dir/initdb" -D "$data" -U postgres -A trust --no-sync >/dev/null
  "${as_user[@]}" "$bin_dir/pg_ctl" -D "$data" -w -l "$MM_STARTED_DIR/postgres.log" \
    -o "-p $port -k $MM_STARTED_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/marketmate"
}

mm_start_redis() {
  command -v redis-server >/dev/null || mm_apt_install redis-server
  local port; port=$(mm_free_port)
  echo "==> Starting a throwaway Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$MM_STARTED_DIR/redis.pid" --logfile "$MM_STARTED_DIR/redis.log" \
    --dir "$MM_STARTED_DIR"
  for _ in $(seq 50); do mm_port_answers 127.0.0.1 "$port" && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port/15"
}

mm_services_up() {
  MM_STARTED_DIR=$(mktemp -d /tmp/marketmate-services.XXXXXX)
  chmod 755 "$MM_STARTED_DIR"
  trap mm_services_stop EXIT
  if [ -z "${DATABASE_URL:-}" ]; then
    if [ -z "${MM_THROWAWAY_SERVICES:-}" ] && mm_port_answers 127.0.0.1 5432; then
      export DATABASE_URL="postgres://postgres@127.0.0.1:5432/marketmate"
    else
      mm_start_postgres
    fi
  fi
  if [ -z "${REDIS_URL:-}" ]; then
    if [ -z "${MM_THROWAWAY_SERVICES:-}" ] && mm_port_answers 127.0.0.1 6379; then
      export REDIS_URL="redis://127.0.0.1:6379/15"
    else
      mm_start_redis
    fi
  fi
  echo "==> PostgreSQL: ${DATABASE_URL%%\?*}"
  echo "==> Redis: $REDIS_URL"
}
