#!/usr/bin/env bash
# A province's topology on one machine: NODES `motcua serve` processes on one PostgreSQL
# database and one data folder (master key, files), behind nginx (Debian's package) as the
# load balancer. The crash harness's clients file, receive and pay through nginx (each request
# with an idempotency key, retried until answered) while, every cycle, one node at random is
# killed with SIGKILL and started again a few seconds later. At the end every acknowledged
# action must be in the database exactly once, `motcua verify` must pass, and the summary gives
# the latency (p99 per 5 s, before the first kill, and how long after the last kill it took to
# be steady again).
#
#   bash bench/cluster.sh                         # 3 nodes, 4 kills
#   NODES=3 CYCLES=1 DOWN_MS=15000 bash bench/cluster.sh
#
# Environment:
#   NODES        servers behind nginx (default 3)
#   CYCLES       node kills (default 4)
#   DOWN_MS      how long a killed node stays down (default 5000)
#   MAX_RUN_MS   longest run between kills (default 15000; also how long the clients go on
#                after the last restart)
#   CLIENTS      concurrent clients (default 8)
#   PROFILE      debug | release (default release)
#   PG_ADMIN_URL where CREATE DATABASE runs (default postgres://postgres@127.0.0.1:5432/test);
#                the scratch database is dropped afterwards
#   KEEP_WORK=1  keep the work folder (server logs, nginx config and logs)
#
# Appends the summary to bench/results/cluster.jsonl; exits non-zero if anything acknowledged
# was lost or doubled, or if verify found the store broken.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODES=${NODES:-3}
CYCLES=${CYCLES:-4}
DOWN_MS=${DOWN_MS:-5000}
MAX_RUN_MS=${MAX_RUN_MS:-15000}
CLIENTS=${CLIENTS:-8}
PROFILE=${PROFILE:-release}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}

if ! command -v nginx >/dev/null; then
  if [[ $(id -u) == 0 ]]; then
    echo "== installing nginx (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null
  else
    echo "cluster.sh: needs nginx (apt-get install nginx-light)" >&2
    exit 1
  fi
fi
command -v psql >/dev/null || { echo "cluster.sh: needs psql" >&2; exit 1; }

cargo_flags=()
[[ $PROFILE == release ]] && cargo_flags=(--release)
(cd "$ROOT" && cargo build -q "${cargo_flags[@]}" -p motcua -p motcua-testkit --bins)
BIN=$ROOT/target/$PROFILE/motcua
HARNESS=$ROOT/target/$PROFILE/motcua-crash
mkdir -p "$ROOT/bench/results"
REPORT=$ROOT/bench/results/cluster.jsonl

WORK=$(mktemp -d "${TMPDIR:-/tmp}/motcua-cluster.XXXXXX")
chmod 755 "$WORK"
DB=motcua_cluster_$(date +%s)_$$
cleanup() {
  if [[ -f $WORK/nginx.pid ]]; then kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; fi
  psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $DB" >/dev/null
DATABASE_URL=${PG_ADMIN_URL%/*}/$DB

PORTS=()
for _ in $(seq "$NODES"); do PORTS+=("$(free_port)"); done
ENTRY_PORT=$(free_port)
mkdir -p "$WORK/nginx-tmp"
{
  echo "worker_processes 1;"
  echo "pid $WORK/nginx.pid;"
  echo "error_log $WORK/nginx-error.log warn;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $WORK/nginx-tmp/$t;"; done
  echo "  upstream motcua {"
  for p in "${PORTS[@]}"; do echo "    server 127.0.0.1:$p max_fails=1 fail_timeout=2s;"; done
  echo "    keepalive 64;"
  echo "  }"
  echo "  server {"
  echo "    listen 127.0.0.1:$ENTRY_PORT;"
  echo "    client_max_body_size 30m;"
  echo "    location / {"
  echo "      proxy_pass http://motcua;"
  echo "      proxy_http_version 1.1;"
  echo "      proxy_set_header Connection \"\";"
  echo "      proxy_set_header Host \$host;"
  echo "      proxy_set_header X-Forwarded-For \$remote_addr;"
  # A node that dies mid-request: try the next one, POSTs included — every write carries an
  # idempotency key, so a request that reached the dead node is not applied twice.
  echo "      proxy_next_upstream error timeout http_502 non_idempotent;"
  echo "      proxy_next_upstream_tries $NODES;"
  echo "      proxy_connect_timeout 1s;"
  echo "      proxy_read_timeout 30s;"
  echo "    }"
  echo "  }"
  echo "}"
} >"$WORK/nginx.conf"
nginx -t -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" 2>/dev/null
nginx -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"

echo "==================== $NODES nodes behind nginx on one PostgreSQL: $CYCLES node kills ===================="
ports_csv=$(IFS=,; echo "${PORTS[*]}")
"$HARNESS" --bin "$BIN" --work "$WORK/run" --cycles "$CYCLES" --clients "$CLIENTS" \
  --database-url "$DATABASE_URL" --nodes "$NODES" --node-ports "$ports_csv" \
  --entry "http://127.0.0.1:$ENTRY_PORT" --down-ms "$DOWN_MS" --max-run-ms "$MAX_RUN_MS" \
  --report "$REPORT"
echo "summary appended to ${REPORT#"$ROOT"/}"
