#!/usr/bin/env bash
# deno task demo: a simulated UPS (dummy-ups on share/demo-ups.dev) served by
# upsd on a free loopback port, looked at with upsc, upsrw and upscmd; then a
# whole power cut watched by upsmon (on line → on battery → low battery →
# FSD → shutdown, where SHUTDOWNCMD only prints what it would do), narrated
# with upsmon's notifications; then everything stopped again. Nothing outside
# a temp dir is touched.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$ROOT/bin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nut-demo.XXXXXX")
chmod 755 "$TMP"
export NUT_CONFPATH=$TMP/conf NUT_STATEPATH=$TMP/state NUT_ALTPIDPATH=$TMP/state
mkdir -p "$NUT_CONFPATH" "$NUT_STATEPATH"
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

driver_pid="" upsd_pid="" upsmon_pid=""
cleanup() {
  [ -n "$upsmon_pid" ] && kill "$upsmon_pid" 2>/dev/null || true
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
[monuser]
	password = demo
	upsmon primary
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

say "upsrw -s ups.status=OL ...   (power is back)"
"$BIN/upsrw" -s ups.status=OL -u admin -p demo "demo@127.0.0.1:$PORT" 2>/dev/null

# --- a whole power cut, watched by upsmon -----------------------------------
# upsmon runs its notifications as an unprivileged user when started as root:
# the narration file and scripts must be reachable by that user.
NARRATION=$TMP/narration
: >"$NARRATION"
chmod 666 "$NARRATION"
cat >"$TMP/notify.sh" <<SH
#!/bin/sh
echo "   upsmon notifies \$NOTIFYTYPE: \$1" >>"$NARRATION"
SH
cat >"$TMP/shutdown.sh" <<SH
#!/bin/sh
echo "   SHUTDOWNCMD runs: a real host would now power off (shutdown -h +0)" >>"$NARRATION"
SH
chmod 755 "$TMP/notify.sh" "$TMP/shutdown.sh"
{
  echo "MONITOR demo@127.0.0.1:$PORT 1 monuser demo primary"
  echo "MINSUPPLIES 1"
  echo "POLLFREQ 1"
  echo "POLLFREQALERT 1"
  echo "HOSTSYNC 2"
  echo "FINALDELAY 1"
  echo "NOTIFYCMD $TMP/notify.sh"
  echo "SHUTDOWNCMD \"$TMP/shutdown.sh\""
  echo "POWERDOWNFLAG $TMP/killpower"
  for t in ONLINE ONBATT LOWBATT FSD COMMOK COMMBAD SHUTDOWN NOCOMM; do echo "NOTIFYFLAG $t EXEC"; done
} >"$NUT_CONFPATH/upsmon.conf"
chmod 644 "$NUT_CONFPATH/upsmon.conf"

# wait_for TEXT: until the narration has a line containing TEXT (or 20 s)
shown=0
wait_for() {
  for _ in $(seq 200); do
    grep -q -- "$1" "$NARRATION" && break
    sleep 0.1
  done
  local total
  total=$(wc -l <"$NARRATION")
  [ "$total" -gt "$shown" ] && tail -n "+$((shown + 1))" "$NARRATION"
  shown=$total
}

say "starting the monitor: bin/upsmon -F (primary for demo, MINSUPPLIES 1)"
"$BIN/upsmon" -F 2>"$TMP/upsmon.log" &
upsmon_pid=$!
for _ in $(seq 100); do
  [ "$("$BIN/upsc" "demo@127.0.0.1:$PORT" 2>/dev/null | grep -c '')" -gt 0 ] &&
    grep -q "127.0.0.1" <("$BIN/upsc" -c "demo@127.0.0.1:$PORT" 2>/dev/null) && break
  sleep 0.1
done

say "the power fails: ups.status=OB DISCHRG"
"$BIN/upsrw" -s "ups.status=OB DISCHRG" -u admin -p demo "demo@127.0.0.1:$PORT" 2>/dev/null
wait_for ONBATT
say "the battery runs low: ups.status=OB DISCHRG LB"
"$BIN/upsrw" -s "ups.status=OB DISCHRG LB" -u admin -p demo "demo@127.0.0.1:$PORT" 2>/dev/null
wait_for SHUTDOWNCMD
say "upsd now reports the forced shutdown to every client: upsc demo@127.0.0.1:$PORT ups.status"
"$BIN/upsc" "demo@127.0.0.1:$PORT" ups.status
say "why upsmon shut down (its decision log):"
grep -m 3 "Shutdown decision" "$TMP/upsmon.log" | sed 's/^/   /' || true
[ -e "$TMP/killpower" ] && echo "   POWERDOWNFLAG written: the shutdown scripts would now run 'upsdrvctl shutdown'"

say "stopping upsmon, upsd and the driver"
wait "$upsmon_pid" 2>/dev/null || kill "$upsmon_pid" 2>/dev/null || true
upsmon_pid=""
kill "$upsd_pid" && wait "$upsd_pid" 2>/dev/null || true
upsd_pid=""
kill "$driver_pid" && wait "$driver_pid" 2>/dev/null || true
driver_pid=""
echo "done: all processes stopped, temp dir removed"
