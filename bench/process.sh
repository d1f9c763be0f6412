#!/usr/bin/env bash
# motcua's process engine against SpiffWorkflow, on the same model and in the same run:
# process instances completed per second on bench/process/consultation-10.bpmn (10 user tasks,
# a parallel consultation of two agencies, an exclusive gateway with a condition).
#
#   bash bench/process.sh                 # cargo bench (criterion), then 2000 SpiffWorkflow instances
#   INSTANCES=500 bash bench/process.sh
#   SKIP_CARGO=1 bash bench/process.sh    # only SpiffWorkflow, compared with the last criterion run
#
# Environment:
#   INSTANCES         SpiffWorkflow instances to time (default 2000, after 100 untimed warm-up ones)
#   CRITERION_FILTER  benchmark filter passed to criterion (default: every benchmark of the engine bench)
#   SKIP_CARGO=1      do not run cargo bench; use the estimates already in target/criterion
#   PYTHON            the interpreter that creates the venv (default python3)
#
# motcua's figures come from criterion: engine/consultation-10/in_memory (and /sqlite when the bench
# has it), whose time is per instance: instances/s = 1e9 / mean ns. SpiffWorkflow (pinned below,
# from PyPI) runs in a venv in target/spiff-venv, created on first use. The summary is printed and
# written to bench/results/process-<date-time>.txt (gitignored).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SPIFF_VERSION=3.2.0
INSTANCES=${INSTANCES:-2000}
PYTHON=${PYTHON:-python3}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
[[ $TARGET = /* ]] || TARGET=$ROOT/$TARGET
VENV=$ROOT/target/spiff-venv
CRIT=$TARGET/criterion/engine/consultation-10

die() { echo "process.sh: $*" >&2; exit 1; }

[[ $INSTANCES =~ ^[1-9][0-9]*$ ]] || die "INSTANCES must be a positive integer (got '$INSTANCES')"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON=...)"

# --- SpiffWorkflow venv ------------------------------------------------------------------------
if ! "$VENV/bin/python" -c "import sys, SpiffWorkflow.version as v; sys.exit(v.__version__ != '$SPIFF_VERSION')" \
  2>/dev/null; then
  echo "== SpiffWorkflow $SPIFF_VERSION into $VENV"
  "$PYTHON" -m venv "$VENV" || die "cannot create a venv (Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "SpiffWorkflow==$SPIFF_VERSION" \
    || die "pip install SpiffWorkflow==$SPIFF_VERSION failed"
fi

# --- motcua (criterion) --------------------------------------------------------------------------
STAMP=$(mktemp "${TMPDIR:-/tmp}/motcua-process-bench.XXXXXX")
trap 'rm -f "$STAMP"' EXIT
if [[ ${SKIP_CARGO:-0} != 1 ]]; then
  echo "== cargo bench -p motcua-workflow --bench engine"
  args=(--noplot)
  if [[ -n ${CRITERION_FILTER:-} ]]; then args+=("$CRITERION_FILTER"); fi
  (cd "$ROOT" && cargo bench -p motcua-workflow --bench engine -- "${args[@]}") \
    || die "cargo bench failed (is there a crates/motcua-workflow/benches/engine.rs with criterion?)"
fi

# Mean time per instance (ns) of engine/consultation-10/$1; empty if it was not measured in this
# run. Criterion turns a "/" inside a function id into "_", so the directory depends on how the
# benchmark is named: group "engine" + BenchmarkId::new("consultation-10", "in_memory") gives
# engine/consultation-10/in_memory; the other two spellings are accepted as well.
mean_ns() {
  local f c
  for c in "$CRIT/$1" "${CRIT}_$1" "$TARGET/criterion/engine_consultation-10_$1"; do
    f=$c/new/estimates.json
    [[ -f $f ]] && break
  done
  [[ -f $f ]] || return 0
  if [[ ${SKIP_CARGO:-0} != 1 && ! $f -nt $STAMP ]]; then
    echo "process.sh: $f is older than this run (not re-measured): ignored" >&2
    return 0
  fi
  "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["mean"]["point_estimate"])' "$f"
}
MEM_NS=$(mean_ns in_memory)
[[ -n $MEM_NS ]] || die "no fresh $CRIT/in_memory/new/estimates.json: the criterion benchmark
  engine/consultation-10/in_memory did not run (does crates/motcua-workflow/benches/engine.rs define it,
  and did CRITERION_FILTER exclude it?)"
SQL_NS=$(mean_ns sqlite)

# --- SpiffWorkflow -------------------------------------------------------------------------------
echo "== SpiffWorkflow $SPIFF_VERSION: $INSTANCES instances"
SPIFF_JSON=$("$VENV/bin/python" "$ROOT/bench/process/spiff_bench.py" "$INSTANCES") \
  || die "spiff_bench.py failed"
echo "$SPIFF_JSON"

# --- summary ---------------------------------------------------------------------------------------
mkdir -p "$ROOT/bench/results"
REPORT=$ROOT/bench/results/process-$(date -u +%Y%m%d-%H%M%S).txt
"$PYTHON" - "$MEM_NS" "${SQL_NS:-}" "$SPIFF_JSON" "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" \
  <<'EOF' | tee "$REPORT"
import json, sys
mem_ns, sql_ns, spiff, commit = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
rows = [("motcua, in memory", 1e9 / mem_ns)]
if sql_ns:
    rows.append(("motcua, SQLite", 1e9 / float(sql_ns)))
spiff_ips = spiff["instances_per_second"]
name = f"SpiffWorkflow {spiff['version']} (Python {spiff['python']})"
rows.append((name, spiff_ips))
print(f"\nconsultation-10: process instances completed per second (commit {commit})")
for label, ips in rows:
    print(f"  {label:<40} {ips:>12,.1f}/s  {1e6 / ips:>10,.1f} µs per instance")
for label, ips in rows[:-1]:
    print(f"  ratio {label} / SpiffWorkflow: {ips / spiff_ips:,.1f}×")
cpu = spiff.get("cpu_seconds")
if cpu and cpu < 0.8 * spiff["seconds"]:
    print(f"  note: SpiffWorkflow used the CPU {cpu / spiff['seconds']:.0%} of its wall time "
          f"({spiff['instances'] / cpu:,.1f}/s by CPU time): the machine was busy, run again")
EOF
echo "(written to ${REPORT#"$ROOT"/})"
