#!/usr/bin/env bash
# deno task demo: a simulated UPS (dummy-ups on share/demo-ups.dev) served by
# upsd on a free loopback port, looked at with upsc, upsrw and upscmd, then
# everything stopped again. Nothing outside a temp dir is touched.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/bin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nut-demo.XXXXXX")
chmod 755 "$TMP"
export NUT_CONFPATH=$TMP/conf NUT_STATEPATH=$TMP/state NUT_ALTPIDPATH=$TMP/state
mkdir -p "$NUT_CONFPATH" "$NUT_STATEPATH"
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

driver_pid="" upsd_pid=""
cleanup() {
  [ -n "$upsd_pid" ] && kill "$upsd_pid" 2>/dev/null || true
  [ -n "$driver_pid" ] && kill "$driver_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

cp "$ROOT/share/demo-ups.dev" "$NUT_CONFPATH/demo.dev"
cat >"$NUT_CONFPATH/ups.conf" <<CONF
[demo]
	driver = dummy-ups
	port = demo.dev
	desc = "nut-deno simulated UPS"
CONF
cat >"$NUT_CONFPATH/upsd.conf" <<CONF
LISTEN 127.0.0.1 $PORT
CONF
cat >"$NUT_CONFPATH/upsd.users" <<CONF
[admin]
	password = demo
	actions = SET
	instcmds = ALL
CONF
chmod 640 "$NUT_CONFPATH/upsd.users"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "starting the simulated UPS driver: bin/dummy-ups -a demo -F"
"$BIN/dummy-ups" -a demo -F 2>"$TMP/driver.log" &
driver_pid=$!
for _ in $(seq 100); do [ -S "$NUT_STATEPATH/dummy-ups-demo" ] && break; sleep 0.1; done

say "starting the data server: bin/upsd -F (LISTEN 127.0.0.1 $PORT)"
"$BIN/upsd" -F 2>"$TMP/upsd.log" &
upsd_pid=$!
for _ in $(seq 100); do
  "$BIN/upsc" "demo@127.0.0.1:$PORT" ups.status >/dev/null 2>&1 && break
  sleep 0.1
done

say "upsc -L 127.0.0.1:$PORT"
"$BIN/upsc" -L "127.0.0.1:$PORT"
say "upsc demo@127.0.0.1:$PORT"
"$BIN/upsc" "demo@127.0.0.1:$PORT"
say "upsc -j demo@127.0.0.1:$PORT ups.status"
"$BIN/upsc" -j "demo@127.0.0.1:$PORT" ups.status
say "upsrw -s ups.status=OB -u admin -p demo -w demo@127.0.0.1:$PORT   (simulate a power cut)"
"$BIN/upsrw" -s ups.status=OB -u admin -p demo -w "demo@127.0.0.1:$PORT"
say "upsc demo@127.0.0.1:$PORT ups.status"
"$BIN/upsc" "demo@127.0.0.1:$PORT" ups.status
say "upscmd -l demo@127.0.0.1:$PORT"
"$BIN/upscmd" -l "demo@127.0.0.1:$PORT"

say "stopping upsd and the driver"
kill "$upsd_pid" && wait "$upsd_pid" 2>/dev/null || true
upsd_pid=""
kill "$driver_pid" && wait "$driver_pid" 2>/dev/null || true
driver_pid=""
echo "done: all processes stopped, temp dir removed"
