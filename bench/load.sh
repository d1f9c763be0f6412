#!/usr/bin/env bash
# First load measurement of motcua: throughput and p50/p99 latency of the public status page
# and of dossier submission, against a fresh demo on SQLite and/or PostgreSQL.
#
#   bash bench/load.sh                          # both backends, 10 s per measurement, 32 connections
#   BACKEND=sqlite DURATION=5s bash bench/load.sh
#
# Environment:
#   BACKEND      sqlite | postgres | both (default both)
#   DURATION     wrk duration of each measurement (default 10s)
#   CONNECTIONS  concurrent connections (default 32)
#   THREADS      wrk threads (default 2)
#   MOTCUA_LOG   server log filter during the run (default warn: info logs one line per request)
#   PG_ADMIN_URL PostgreSQL on this machine where a throw-away database is created and dropped
#                (default postgres://postgres@127.0.0.1:5432/test)
#   MOTCUA_BIN   binary to run (default target/release/motcua, built first unless SKIP_BUILD=1)
#   DEMO_ARGS    more flags for `motcua demo` (e.g. --no-simulators: no outbox traffic to the
#                built-in registry/gateway/SMS/mail/portal simulators)
#   PUBLIC_PAGES=0  skip the home page, catalog and procedure page measurements
#   KEEP_WORK=1  keep the temporary folder (server stdout/stderr, raw wrk output) for a look
#
# Every request goes to 127.0.0.1; every wrk run is bounded by DURATION and stops by itself.
# The summary is printed at the end and written to bench/results/<date>.txt (gitignored).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKEND=${BACKEND:-both}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
LOG_FILTER=${MOTCUA_LOG:-warn}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
BIN=${MOTCUA_BIN:-$ROOT/target/release/motcua}
CEILING_BIN=${CEILING_BIN:-$ROOT/target/release/motcua-ceiling}
LUA=$ROOT/bench/wrk/report.lua
LOGIN=019195012345
PASSWORD='MotCua@2026'
PROCEDURE=HT-04
# The other public reads of point 3: home page, catalog (page and API), a procedure page.
PAGES=(/ /procedures "/procedures/$PROCEDURE" /api/v1/procedures)

case $BACKEND in
  sqlite) BACKENDS=(sqlite) ;;
  postgres) BACKENDS=(postgres) ;;
  both) BACKENDS=(sqlite postgres) ;;
  *) echo "BACKEND must be sqlite, postgres or both (got '$BACKEND')" >&2; exit 2 ;;
esac

die() { echo "load.sh: $*" >&2; exit 1; }

# wrk's duration syntax (10, 10s, 2m, 1h) in seconds, for the hard time limit around wrk.
seconds_of() {
  local d=$1
  case $d in
    *h) echo $((${d%h} * 3600)) ;;
    *m) echo $((${d%m} * 60)) ;;
    *s) echo "${d%s}" ;;
    *) echo "$d" ;;
  esac
}
[[ $(seconds_of "$DURATION") =~ ^[0-9]+$ ]] || die "DURATION must look like 10s, 2m or 1h (got '$DURATION')"

# --- tools ---------------------------------------------------------------------------------
missing=()
for tool in wrk jq curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [[ " ${BACKENDS[*]} " == *" postgres "* ]]; then command -v psql >/dev/null || missing+=(postgresql-client); fi
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "== installing ${missing[*]} (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing ${missing[*]}: apt-get install ${missing[*]}"
  fi
fi

# The PostgreSQL server must be this machine: traffic stays on the loopback.
if [[ " ${BACKENDS[*]} " == *" postgres "* ]]; then
  [[ $PG_ADMIN_URL =~ ^postgres(ql)?://([^@/]*@)?(127\.0\.0\.1|localhost)(:[0-9]+)?/ ]] \
    || die "PG_ADMIN_URL must point at 127.0.0.1 (got $PG_ADMIN_URL)"
fi

if [[ -z ${MOTCUA_BIN:-} && ${SKIP_BUILD:-0} != 1 ]]; then
  echo "== cargo build --release -p motcua -p motcua-testkit (the ceilings tool)"
  (cd "$ROOT" && cargo build --release -p motcua && cargo build --release -p motcua-testkit --bin motcua-ceiling)
fi
[[ -x $BIN ]] || die "no binary at $BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/motcua-bench.XXXXXX")
SERVER_PID=
PG_DB=
RESULT_ROWS=()
NOTES=()
HZ=$(getconf CLK_TCK)

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
drop_db() {
  if [[ -n $PG_DB ]]; then
    psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null || true
    PG_DB=
  fi
}
cleanup() {
  stop_server
  drop_db
  if [[ ${KEEP_WORK:-0} == 1 ]]; then echo "kept server logs and wrk output in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Busy jiffies of the whole machine (user nice system irq softirq steal), and of one process.
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
process_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# "pid comm jiffies" of every process, to name what else used the CPU during a run.
cpu_snapshot() {
  local f pid comm rest
  for f in /proc/[0-9]*/stat; do
    read -r pid comm rest <"$f" 2>/dev/null || continue
    read -r -a fields <<<"$rest"
    echo "$pid $comm $((fields[11] + fields[12]))"
  done
}
# ... and of every PostgreSQL server process on the machine (comm "postgres").
postgres_cpu() {
  local f sum=0 comm rest
  for f in /proc/[0-9]*/stat; do
    read -r _ comm rest <"$f" 2>/dev/null || continue
    [[ $comm == "(postgres)" ]] || continue
    read -r -a fields <<<"$rest"
    sum=$((sum + fields[11] + fields[12]))
  done
  echo "$sum"
}

# Resident memory of a process now and at its peak so far (VmRSS, VmHWM), in MB.
rss_of() {
  awk '/^VmRSS:/ { now = $2 } /^VmHWM:/ { peak = $2 }
    END { printf "RSS %.0f MB, peak %.0f MB", now / 1024, peak / 1024 }' "/proc/$1/status" 2>/dev/null \
    || echo "RSS ?"
}

# --- one wrk run: prints wrk's own report, appends a summary row --------------------------
# measure BACKEND LABEL EXPECTED_STATUS URL [env assignments for the Lua script...]
measure() {
  local backend=$1 label=$2 expect=$3 url=$4
  shift 4
  local out=$WORK/wrk-$backend-${label//[^A-Za-z0-9]/_}.txt
  echo
  echo "-- $backend · $label: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
  # CPU accounting, to see whether anything besides the server and wrk ran meanwhile: the
  # machine's busy time, the server's and wrk's (from the subshell's children times), in % of
  # one core (2 cores = 200 %).
  local m0 s0 p0 t0 m1 s1 p1 t1
  cpu_snapshot >"$out.cpu0"
  m0=$(machine_busy); s0=$(process_cpu "$SERVER_PID"); p0=$(postgres_cpu); t0=$(date +%s%N)
  (
    env "$@" timeout --kill-after=5 $(($(seconds_of "$DURATION") + 60)) \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$LUA" "$url" >"$out"
    times >"$out.times"
  )
  m1=$(machine_busy); s1=$(process_cpu "$SERVER_PID"); p1=$(postgres_cpu); t1=$(date +%s%N)
  cpu_snapshot >"$out.cpu1"
  cat "$out"
  local cpu
  cpu=$(awk -v m="$((m1 - m0))" -v s="$((s1 - s0))" -v p="$((p1 - p0))" -v ns="$((t1 - t0))" -v hz="$HZ" '
    NR == 2 {
      split($1, u, /[ms]/); split($2, k, /[ms]/)
      wall = ns / 1e9; w = (u[1] * 60 + u[2] + k[1] * 60 + k[2]) / wall * 100
      mach = m / hz / wall * 100; srv = s / hz / wall * 100; pg = p / hz / wall * 100
      printf "%.0f %.0f %.0f %.0f", srv, pg, w, mach - srv - pg - w
    }' "$out.times")
  read -r cpu_srv cpu_pg cpu_wrk cpu_other <<<"$cpu"
  echo "   cpu (% of one core): server $cpu_srv · postgres $cpu_pg · wrk $cpu_wrk · everything else $cpu_other"
  if [[ $backend != ceiling ]]; then
    echo "   server memory: $(rss_of "$SERVER_PID")"
    NOTES+=("$backend · $label: server memory after it: $(rss_of "$SERVER_PID")")
  fi
  if ((cpu_other > 20)); then
    # Name the biggest other consumers (processes that lived through the whole run, or started in it).
    local others
    others=$(awk -v ns="$((t1 - t0))" -v hz="$HZ" -v srv="$SERVER_PID" '
      NR == FNR { before[$1] = $3; next }
      $1 != srv && $2 != "(postgres)" && $2 != "(wrk)" {
        d = $3 - ($1 in before ? before[$1] : 0)
        if (d > 0) use[$2] += d
      }
      END { for (c in use) printf "%d %s\n", use[c] / hz / (ns / 1e9) * 100, c }' "$out.cpu0" "$out.cpu1" \
      | sort -rn | head -n 4 | awk '$1 >= 3 { printf "%s%s %s%%", sep, $2, $1; sep = ", " }')
    echo "   others: ${others:-none named (kernel time?)}"
    NOTES+=("$backend · $label: other CPU $cpu_other %: ${others:-none named (kernel time?)}")
  fi
  local line
  line=$(grep '^BENCH ' "$out") || die "wrk printed no BENCH line"
  field() { sed -E "s/.* $1=([^ ]+).*/\\1/" <<<"$line"; }
  local rps p50 p99 requests socket bad
  rps=$(field rps); p50=$(field p50_ms); p99=$(field p99_ms); requests=$(field requests)
  socket=$(($(field connect_err) + $(field read_err) + $(field write_err) + $(field timeouts)))
  if grep -q '^BENCH_STATUS ' "$out"; then
    # Exact breakdown from the Lua response() hook: everything that is not EXPECTED is bad.
    bad=$(grep '^BENCH_STATUS ' "$out" | tr ' ' '\n' | grep '=' \
      | awk -F= -v ok="$expect" '$1 != ok { n += $2 } END { print n + 0 }')
    local statuses
    statuses=$(sed -n 's/^BENCH_STATUS //p' "$out")
    NOTES+=("$backend · $label: statuses $statuses")
    while IFS= read -r s; do NOTES+=("$backend · $label: unexpected response: ${s#BENCH_SAMPLE }"); done \
      < <(grep '^BENCH_SAMPLE ' "$out" || true)
  else
    bad=$(field non2xx3xx)
  fi
  RPS["$backend/$label"]=$rps
  RESULT_ROWS+=("$(printf '%-9s %-28s %8s %8s %8s %8s %5s %7s %5s %5s %5s %5s' \
    "$backend" "$label" "$rps" "$p50" "$p99" "$requests" "$bad" "$socket" "$cpu_srv" "$cpu_pg" "$cpu_wrk" "$cpu_other")")
}

# --- one backend --------------------------------------------------------------------------
run_backend() {
  local backend=$1
  local data=$WORK/$backend-data
  local db_args=()
  echo
  echo "==================== $backend ===================="
  if [[ $backend == postgres ]]; then
    PG_DB=motcua_bench_$(date +%s)_$RANDOM
    psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $PG_DB" >/dev/null
    db_args=(--database-url "${PG_ADMIN_URL%/*}/$PG_DB")
    echo "database: ${PG_ADMIN_URL%/*}/$PG_DB (fresh, dropped at the end)"
  fi

  # Port 0: the kernel picks a free port; the demo prints the address it listens on.
  # shellcheck disable=SC2086 # DEMO_ARGS is a list of flags
  MOTCUA_LOG=$LOG_FILTER "$BIN" demo --data "$data" --listen 127.0.0.1:0 "${db_args[@]}" ${DEMO_ARGS:-} \
    >"$WORK/$backend-stdout.txt" 2>"$WORK/$backend-stderr.txt" &
  SERVER_PID=$!
  local base=
  for _ in $(seq 1 600); do
    # The demo's own address (its simulators print theirs first).
    base=$(grep 'đang chạy tại' "$WORK/$backend-stdout.txt" | grep -oE 'http://127\.0\.0\.1:[0-9]+' | head -n1 || true)
    [[ -n $base ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/$backend-stderr.txt" >&2; die "server exited"; }
    sleep 0.1
  done
  [[ -n $base ]] || die "server did not print its address within 60 s"
  for _ in $(seq 1 300); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/healthz") == 200 ]] && break
    sleep 0.1
  done
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/healthz") == 200 ]] || die "$base/healthz is not 200"
  echo "server: $base (pid $SERVER_PID, MOTCUA_LOG=$LOG_FILTER)"
  NOTES+=("$backend · server memory at rest (demo seeded): $(rss_of "$SERVER_PID")")

  local token agency resp code
  token=$(curl -sf -H 'Content-Type: application/json' \
    -d "{\"login\":\"$LOGIN\",\"password\":\"$PASSWORD\"}" "$base/api/v1/session" | jq -er .token) \
    || die "sign-in failed"
  agency=$(curl -sf "$base/api/v1/procedures/$PROCEDURE" | jq -er '.agencies[0].id') \
    || die "no agency for $PROCEDURE"
  local body
  body=$(jq -cn --arg p "$PROCEDURE" --arg a "$agency" \
    '{procedure_code: $p, agency_id: $a, form: {event_type: "Khai sinh", copies: "2"}, submit: true}')
  resp=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$body" "$base/api/v1/dossiers")
  [[ ${resp##*$'\n'} == 201 ]] || die "first submission: ${resp//$'\n'/ }"
  code=$(jq -er .code <<<"${resp%$'\n'*}")
  echo "dossier for the status page: $code"
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/status?code=$code") == 200 ]] || die "status page is not 200"
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/status/$code") == 200 ]] || die "status API is not 200"

  measure "$backend" "GET /status?code= (HTML)" 200 "$base/status?code=$code"
  measure "$backend" "GET /api/v1/status/{code}" 200 "$base/api/v1/status/$code"
  if [[ ${PUBLIC_PAGES:-1} == 1 ]]; then
    for page in "${PAGES[@]}"; do
      measure "$backend" "GET $page" 200 "$base$page"
    done
  fi
  measure "$backend" "POST /api/v1/dossiers" 201 "$base/api/v1/dossiers" \
    BENCH_METHOD=POST BENCH_BODY="$body" BENCH_TOKEN="$token" BENCH_TRACK=1

  stop_server

  # Cross-check in the database: submitted dossiers = the first one + every 201 (+ the few still
  # in flight when wrk stopped counting, at most CONNECTIONS). Drafts are submissions that failed
  # or were cut off between their two steps when wrk closed its connections at the end.
  local sql="SELECT 'dossiers=' || (SELECT count(*) FROM dossiers) || ' submitted=' || (SELECT count(*) FROM dossiers WHERE code IS NOT NULL) || ' drafts=' || (SELECT count(*) FROM dossiers WHERE code IS NULL) || ' events=' || (SELECT count(*) FROM dossier_events)"
  local rows='?'
  if [[ $backend == postgres ]]; then
    rows=$(psql "${PG_ADMIN_URL%/*}/$PG_DB" -qAtc "$sql" 2>/dev/null || echo '?')
  elif [[ -f $data/motcua.db ]] && command -v python3 >/dev/null; then
    rows=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
      "$data/motcua.db" "$sql" 2>/dev/null || echo '?')
  fi
  NOTES+=("$backend · rows after the run: $rows")

  local warn
  warn=$(grep -cE 'WARN|ERROR' "$WORK/$backend-stderr.txt" || true)
  NOTES+=("$backend · server log lines at WARN/ERROR: $warn")
  if ((warn > 0)); then
    while IFS= read -r l; do NOTES+=("$backend · log: ${l:0:300}"); done \
      < <(grep -E 'WARN|ERROR' "$WORK/$backend-stderr.txt" | sed -E 's/^[0-9T:.Z-]+ +//' \
        | sort | uniq -c | sort -rn | head -n 5 | sed -E 's/^ +//')
  fi
  drop_db
}

# --- the machine's own ceilings, in the same run --------------------------------------------
declare -A RPS CEILING
measure_ceilings() {
  [[ -x $CEILING_BIN ]] || die "no ceilings tool at $CEILING_BIN"
  echo
  echo "==================== ceilings ===================="
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$CEILING_BIN" empty --listen "127.0.0.1:$port" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
  measure ceiling "empty axum handler" 200 "http://127.0.0.1:$port/"
  stop_server
  local secs
  secs=$(seconds_of "$DURATION")
  local line
  line=$("$CEILING_BIN" commits --url "sqlite://$WORK/ceiling.db?mode=rwc" --seconds "$secs")
  CEILING[sqlite]=$(sed -E 's/.*commits_per_s=([0-9]+).*/\1/' <<<"$line")
  echo "SQLite durable single-row commits (WAL, synchronous=FULL, one writer): ${CEILING[sqlite]}/s"
  if [[ " ${BACKENDS[*]} " == *" postgres "* ]]; then
    local db=motcua_ceiling_$(date +%s)_$RANDOM
    psql "$PG_ADMIN_URL" -qAtc "CREATE DATABASE $db" >/dev/null
    line=$("$CEILING_BIN" commits --url "${PG_ADMIN_URL%/*}/$db" --seconds "$secs" --clients 1)
    CEILING[postgres]=$(sed -E 's/.*commits_per_s=([0-9]+).*/\1/' <<<"$line")
    line=$("$CEILING_BIN" commits --url "${PG_ADMIN_URL%/*}/$db" --seconds "$secs" --clients "$CONNECTIONS")
    CEILING[postgres_concurrent]=$(sed -E 's/.*commits_per_s=([0-9]+).*/\1/' <<<"$line")
    psql "$PG_ADMIN_URL" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
    echo "PostgreSQL durable single-row commits: ${CEILING[postgres]}/s one at a time, ${CEILING[postgres_concurrent]}/s from $CONNECTIONS connections"
  fi
}
measure_ceilings

for b in "${BACKENDS[@]}"; do run_backend "$b"; done

# Each figure against the ceiling it is judged by (reads: the empty handler; submissions: the
# backend's durable single-row commits one at a time).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
RATIOS=()
empty=${RPS["ceiling/empty axum handler"]:-0}
pg_ceiling=
if [[ -n ${CEILING[postgres]:-} ]]; then
  pg_ceiling="; PostgreSQL ${CEILING[postgres]} commits/s one at a time (${CEILING[postgres_concurrent]} from $CONNECTIONS connections)"
fi
RATIOS+=("ceilings: empty axum handler $empty req/s; SQLite ${CEILING[sqlite]:-?} commits/s$pg_ceiling")
for b in "${BACKENDS[@]}"; do
  labels=("GET /status?code= (HTML)" "GET /api/v1/status/{code}")
  if [[ ${PUBLIC_PAGES:-1} == 1 ]]; then
    for page in "${PAGES[@]}"; do labels+=("GET $page"); done
  fi
  for label in "${labels[@]}"; do
    RATIOS+=("$b · $label: $(ratio "${RPS["$b/$label"]:-0}" "$empty")× the empty handler (target ≥ 0.3×)")
  done
  RATIOS+=("$b · POST /api/v1/dossiers: $(ratio "${RPS["$b/POST /api/v1/dossiers"]:-0}" "${CEILING[$b]:-0}")× the durable commit ceiling (target ≥ 0.5×)")
done

# --- summary ------------------------------------------------------------------------------
mkdir -p "$ROOT/bench/results"
stamp=$(date +%Y-%m-%d-%H%M%S)
report=$ROOT/bench/results/$stamp.txt
{
  echo "motcua load measurement, $(date -Iseconds)"
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)')" \
    "· $(nproc) cores · $(wrk --version 2>&1 | head -n1 | cut -d' ' -f1-2)" \
    "$([[ " ${BACKENDS[*]} " == *" postgres "* ]] && psql "$PG_ADMIN_URL" -qAtc 'SHOW server_version' 2>/dev/null | sed 's/^/· PostgreSQL /')"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION · server MOTCUA_LOG=$LOG_FILTER · wrk and server share the machine"
  echo
  printf '%-9s %-28s %8s %8s %8s %8s %5s %7s %5s %5s %5s %5s\n' \
    backend endpoint 'req/s' 'p50 ms' 'p99 ms' requests bad sockerr 'srv%' 'pg%' 'wrk%' 'oth%'
  printf '%s\n' "${RESULT_ROWS[@]}"
  echo
  echo "bad = responses other than 200 (status) / 201 (submission); sockerr = connect/read/write errors + timeouts"
  echo "srv% / pg% / wrk% / oth% = CPU during the run of the server / of all PostgreSQL processes / of wrk /"
  echo "of everything else (kernel softirq time for loopback traffic included), in % of one core"
  echo "(the machine has $(nproc) cores = $(($(nproc) * 100)) %); a large oth% means other work skewed that row"
  printf '%s\n' "${RATIOS[@]}"
  printf '%s\n' "${NOTES[@]}"
} >"$report"
echo
echo "==================== summary ===================="
cat "$report"
echo
echo "written to ${report#"$ROOT"/}"
