# shellcheck shell=bash
# Common part of every bin/ launcher: find Deno and the NUT paths, then run a
# command with exactly the Deno permissions its launcher lists.
#
# Daemons: NUT daemons fork into the background once start-up succeeded and
# the parent exits 0. Deno cannot fork, so nut_daemon decides from the
# program's own getopt string whether it will stay in the foreground; if not,
# it starts the program detached (setsid, stdio closed, stderr to syslog via
# logger) and waits on a FIFO for the program's "READY" (lib/daemon/ready.ts).
# If the program exits first, its start-up messages are shown and its exit
# status returned. The logging pipeline keeps none of the caller's stdio open,
# so `launcher | cat` or a test capturing output ends when the launcher does.

# Pure parameter expansion (no subshells): clients must start fast.
NUT_ROOT=${BASH_SOURCE[0]%/*}
[[ $NUT_ROOT == /* ]] || NUT_ROOT=$PWD/$NUT_ROOT
NUT_ROOT=${NUT_ROOT%/bin}
NUT_ROOT=${NUT_ROOT%/bin/.}
if [ -n "${NUT_DENO:-}" ]; then DENO=$NUT_DENO
elif [ -x "$NUT_ROOT/node_modules/.bin/deno" ]; then DENO=$NUT_ROOT/node_modules/.bin/deno
elif command -v deno >/dev/null 2>&1; then DENO=$(command -v deno)
else
  echo "deno not found: run 'npm ci' in $NUT_ROOT (or set NUT_DENO)" >&2
  exit 1
fi

NUT_CONF=${NUT_CONFPATH:-/etc/nut}
NUT_STATE=${NUT_STATEPATH:-/run/nut}
NUT_PID=${NUT_ALTPIDPATH:-$NUT_STATE}
NUT_DATA=${NUT_DATAPATH:-$NUT_ROOT/share}
# Deno caches compiled modules here; keep it out of the user's home when unset.
export DENO_DIR=${DENO_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nut-deno}
export DENO_NO_UPDATE_CHECK=1

# Common flags: no prompts, no downloads (modules come from this checkout).
NUT_DENO_FLAGS=(run --quiet --no-prompt "--config=$NUT_ROOT/deno.json" --cached-only --no-lock)

# nut_has_opt GETOPT LETTERS ARGS... : true if any of LETTERS is given.
nut_has_opt() {
  local spec=$1 letters=$2 opt OPTIND=1 OPTARG
  shift 2
  spec=${spec#+}
  while getopts ":$spec" opt "$@"; do
    case "$opt" in
      \?|:) return 0 ;; # unknown option: the program prints help, run it directly
      *) [[ "$letters" == *"$opt"* ]] && return 0 ;;
    esac
  done
  return 1
}

# nut_opt_value GETOPT LETTER ARGS... : print the last argument of -LETTER.
nut_opt_value() {
  local spec=$1 letter=$2 opt OPTIND=1 OPTARG val=""
  shift 2
  spec=${spec#+}
  while getopts ":$spec" opt "$@"; do
    [ "$opt" = "$letter" ] && val=$OPTARG
  done
  printf '%s' "$val"
}

# With NUT_PRINT_PERMS=1 a launcher prints its entry point and Deno permission
# flags (one per line) instead of running: tests and tools/compile.sh use it.
nut_print_perms() {
  printf '%s\n' "$@"
  exit 0
}

# Deno cannot change its uid after start, so a daemon given a run-time user
# (NUT_RUN_AS, set by its launcher from -u) is started as that user when the
# launcher runs as root, the way NUT daemons drop root after start-up.
nut_user_prefix() {
  NUT_PREFIX=()
  local u=${NUT_RUN_AS:-}
  [ -n "$u" ] && [ "$(id -u)" = 0 ] && [ "$u" != root ] || return 0
  if ! id "$u" >/dev/null 2>&1; then
    echo "user $u not found" >&2
    exit 1
  fi
  NUT_PREFIX=(setpriv "--reuid=$u" "--regid=$(id -g "$u")" --init-groups)
}

# nut_exec ENTRY PERMS... -- ARGS... : run in the foreground (replaces the shell).
nut_exec() {
  local entry=$1
  shift
  local perms=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do perms+=("$1"); shift; done
  shift
  [ "${NUT_PRINT_PERMS:-}" = 1 ] && nut_print_perms "$entry" "${perms[@]}"
  nut_user_prefix
  exec "${NUT_PREFIX[@]}" "$DENO" "${NUT_DENO_FLAGS[@]}" "${perms[@]}" "$NUT_ROOT/$entry" "$@"
}

# nut_daemon PROG ENTRY PERMS... -- ARGS... : detach, wait for READY or exit.
nut_daemon() {
  local prog=$1 entry=$2
  shift 2
  local perms=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do perms+=("$1"); shift; done
  shift
  [ "${NUT_PRINT_PERMS:-}" = 1 ] && nut_print_perms "$entry" "${perms[@]}"
  local tmp fifo errlog child line rc out=/dev/null
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/nut-launch.XXXXXX") || exit 1
  # NUT_STARTUP_STDOUT=1: show what the program printed on stdout before it
  # was ready (NUT daemons print it before forking); it must not write more.
  [ "${NUT_STARTUP_STDOUT:-}" = 1 ] && out=$tmp/stdout
  fifo=$tmp/ready
  errlog=$tmp/stderr
  mkfifo -m 600 "$fifo" || exit 1
  local sink="cat >/dev/null"
  command -v logger >/dev/null 2>&1 && sink="logger -t $prog"
  nut_user_prefix
  if [ ${#NUT_PREFIX[@]} -gt 0 ]; then chown "$NUT_RUN_AS" "$fifo"; chmod 711 "$tmp"; fi
  NUT_READY_FIFO=$fifo setsid "${NUT_PREFIX[@]}" "$DENO" "${NUT_DENO_FLAGS[@]}" "${perms[@]}" "--allow-write=$fifo" \
    "$NUT_ROOT/$entry" "$@" </dev/null >"$out" 2> >(exec >/dev/null 2>&1; tee "$errlog" | $sink) &
  child=$!
  exec 3<>"$fifo"
  while :; do
    if read -r -t 0.2 -u 3 line && [ "$line" = "READY" ]; then
      [ "$out" = /dev/null ] || cat "$out"
      exec 3<&-
      rm -rf "$tmp"
      return 0
    fi
    if ! kill -0 "$child" 2>/dev/null; then
      wait "$child"
      rc=$?
      sleep 0.05
      [ "$out" = /dev/null ] || cat "$out"
      cat "$errlog" >&2
      exec 3<&-
      rm -rf "$tmp"
      return "$rc"
    fi
  done
}
