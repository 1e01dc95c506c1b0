#!/usr/bin/env bash
# deno task bench [scenario...]
# Runs the shared benchmark harness (../shared/bench) against nut-deno's bin/
# and, when installed, Debian's NUT 2.8.0 in the same run, then prints both
# side by side. Default scenarios: serve connect. Knobs: see
# ../shared/bench/README.md (SERVE_T, SERVE_C, UPSC_RUNS, ...).
# Our own scenario: upsmon-idle (bench/upsmon_idle.ts: CPU of an idle
# upsmon, ours and Debian's; knobs IDLE_S, IDLE_ROUNDS, IDLE_POLLFREQ).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${NUT_SHARED:-$ROOT/../shared}
HARNESS=$SHARED/bench
[ $# -gt 0 ] || set -- serve connect
harness=()
for s in "$@"; do
  if [ "$s" = upsmon-idle ]; then
    "$ROOT/node_modules/.bin/deno" run --allow-all "$ROOT/bench/upsmon_idle.ts"
  else
    harness+=("$s")
  fi
done
[ ${#harness[@]} -gt 0 ] || exit 0
set -- "${harness[@]}"
[ -x "$HARNESS/run.sh" ] || { echo "benchmark harness not found at $HARNESS (set NUT_SHARED)" >&2; exit 2; }
out=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/nut-bench.XXXXXX")}
echo "results in $out" >&2
# The harness wants all of upsd upsc dummy-ups upsmon upsdrvctl in one
# directory; programs nut-deno does not have yet fail loudly if called.
impl=$out/nut-deno-impl
mkdir -p "$impl"
for name in upsd upsc upscmd upsrw upslog dummy-ups upsmon upsdrvctl; do
  if [ -x "$ROOT/bin/$name" ]; then
    ln -sfn "$ROOT/bin/$name" "$impl/$name"
  else
    printf '#!/bin/sh\necho "%s is not implemented in nut-deno yet" >&2\nexit 1\n' "$name" >"$impl/$name"
    chmod +x "$impl/$name"
  fi
done
BENCH_OUT=$out/nut-deno.jsonl "$HARNESS/run.sh" "$impl" "$@"
reports=("nut-deno=$out/nut-deno.jsonl")
if [ -x /lib/nut/upsd ] && "$HARNESS/make-nut-impl.sh" "$out/debian-impl" >&2; then
  BENCH_OUT=$out/nut-2.8.0.jsonl "$HARNESS/run.sh" "$out/debian-impl" "$@"
  reports+=("nut-2.8.0=$out/nut-2.8.0.jsonl")
else
  echo "Debian's NUT is not installed: benchmarking nut-deno only" >&2
fi
node "$HARNESS/report.mjs" "${reports[@]}" | tee "$out/report.md"
