#!/usr/bin/env bash
# The crash harness: clients file, receive and pay through the API (every request with an
# idempotency key, retried until answered) while `motcua serve` is killed with SIGKILL at
# random moments and started again; on PostgreSQL the database itself is crashed too
# (pg_ctl stop -m immediate) every few cycles, in a private cluster this script creates —
# never the machine's shared one. At the end `motcua verify` checks the store and every
# acknowledged action must be present exactly once.
#
#   bash bench/crash.sh                               # 50 cycles on SQLite, 10 on PostgreSQL
#   CYCLES_SQLITE=10 CYCLES_POSTGRES=3 bash bench/crash.sh   # the short form CI runs
#
# Environment:
#   BACKEND          sqlite | postgres | both (default both)
#   CYCLES_SQLITE    kill-and-restart cycles on SQLite (default 50)
#   CYCLES_POSTGRES  on PostgreSQL (default 10; the database is crashed every 3rd cycle)
#   CLIENTS          concurrent clients (default 6)
#   PROFILE          debug | release (default debug: CI has it built)
#   KEEP_WORK=1      keep the work folder (server log, data) for a look
#
# Prints each cycle and a JSON summary per backend (acknowledged, lost, duplicated, verify's
# exit code), appended to bench/results/crash.jsonl. Exits non-zero if anything acknowledged
# was lost or doubled, or if verify found the store broken.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKEND=${BACKEND:-both}
CYCLES_SQLITE=${CYCLES_SQLITE:-50}
CYCLES_POSTGRES=${CYCLES_POSTGRES:-10}
CLIENTS=${CLIENTS:-6}
PROFILE=${PROFILE:-debug}

case $BACKEND in
  sqlite) BACKENDS=(sqlite) ;;
  postgres) BACKENDS=(postgres) ;;
  both) BACKENDS=(sqlite postgres) ;;
  *) echo "BACKEND must be sqlite, postgres or both (got '$BACKEND')" >&2; exit 2 ;;
esac

cargo_flags=()
[[ $PROFILE == release ]] && cargo_flags=(--release)
(cd "$ROOT" && cargo build -q "${cargo_flags[@]}" -p motcua -p motcua-testkit --bins)
BIN=$ROOT/target/$PROFILE/motcua
HARNESS=$ROOT/target/$PROFILE/motcua-crash
mkdir -p "$ROOT/bench/results"
REPORT=$ROOT/bench/results/crash.jsonl

WORK=$(mktemp -d "${TMPDIR:-/tmp}/motcua-crash.XXXXXX")
chmod 755 "$WORK"
PG_DATA=
PG_BIN=
cleanup() {
  if [[ -n $PG_DATA && -f $PG_DATA/postmaster.pid ]]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" stop -m immediate >/dev/null 2>&1 || true
  fi
  if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root.
as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_sqlite() {
  echo "==================== SQLite: $CYCLES_SQLITE cycles ===================="
  "$HARNESS" --bin "$BIN" --work "$WORK/sqlite" --cycles "$CYCLES_SQLITE" \
    --clients "$CLIENTS" --report "$REPORT"
}

run_postgres() {
  echo "==================== PostgreSQL (private cluster): $CYCLES_POSTGRES cycles ===================="
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x $PG_BIN/initdb ]] || { echo "crash.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
  PG_DATA=$WORK/pg
  mkdir -p "$PG_DATA"
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$PG_DATA"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres >/dev/null
  local port
  port=$(free_port)
  local start="$PG_BIN/pg_ctl -D $PG_DATA -l $PG_DATA/server.log -w -o '-p $port -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on' start"
  local crash="$PG_BIN/pg_ctl -D $PG_DATA -m immediate stop"
  if [[ $(id -u) == 0 ]]; then
    start="runuser -u postgres -- $start"
    crash="runuser -u postgres -- $crash"
  fi
  sh -c "$start" >/dev/null
  psql -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE crash" >/dev/null
  "$HARNESS" --bin "$BIN" --work "$WORK/postgres" --cycles "$CYCLES_POSTGRES" \
    --clients "$CLIENTS" --report "$REPORT" \
    --database-url "postgres://postgres@127.0.0.1:$port/crash" \
    --kill-db "$crash >/dev/null" --start-db "$start >/dev/null" --kill-db-every 3
}

for b in "${BACKENDS[@]}"; do "run_$b"; done
echo "summaries appended to ${REPORT#"$ROOT"/}"
