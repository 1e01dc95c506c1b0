# shellcheck shell=bash
# Common part of the serial-port driver launchers (nutdrv_qx, blazer_ser, ...),
# sourced after _launcher.sh. A serial driver may:
#   - read its config dir, the state/PID dirs and /etc/group (socket group);
#   - read and write its device only: the 'port' path and, when that is a
#     symlink such as /dev/serial/by-id/..., its target;
#   - write the state/PID dirs; listen on its own socket only;
#   - load libc through FFI (termios and modem-line ioctls have no Deno API):
#     --allow-ffi names that one file. FFI code runs outside Deno's sandbox,
#     so this grant is what the driver needs, not a security boundary.
# No TCP, no running programs.

SERIAL_GETOPT="+a:s:kFBDd:hx:Lqr:u:g:Vi:"

# serial_conf_value SECTION KEY: KEY's value in ups.conf (the section, else the
# global part), as far as a permission decision needs it; the driver parses for real.
serial_conf_value() {
  [ -r "$NUT_CONF/ups.conf" ] || return 0
  awk -v want="$1" -v key="$2" '
    function value(v) {
      if (substr(v, 1, 1) == "\"") { v = substr(v, 2); sub(/".*$/, "", v) }
      else sub(/[ \t#].*$/, "", v)
      gsub(/\\/, "", v)
      return v
    }
    {
      line = $0
      if (line !~ /"/) sub(/#.*/, "", line)
      if (line ~ /^[ \t]*\[[^]]*\][ \t]*$/) {
        name = line; gsub(/^[ \t]*\[|\][ \t]*$/, "", name)
        inside = (name == want); started = 1; next
      }
      if (match(line, "^[ \t]*" key "[ \t]*=[ \t]*")) {
        v = value(substr(line, RLENGTH + 1))
        if (inside) found = v; else if (!started) global = v
      }
    }
    END { if (found != "") print found; else if (global != "") print global }
  ' "$NUT_CONF/ups.conf"
}

# serial_x_value KEY ARGS...: the last -x KEY=value on the command line.
serial_x_value() {
  local key=$1 opt OPTIND=1 OPTARG val=""
  shift
  while getopts ":${SERIAL_GETOPT#+}" opt "$@"; do
    [ "$opt" = x ] && [[ "$OPTARG" == "$key="* ]] && val=${OPTARG#*=}
  done
  printf '%s' "$val"
}

# serial_libc: the libc file the driver loads (NUT_LIBC, else the usual places).
serial_libc() {
  if [ -n "${NUT_LIBC:-}" ]; then printf '%s' "$NUT_LIBC"; return; fi
  local f
  for f in /lib/x86_64-linux-gnu/libc.so.6 /lib/aarch64-linux-gnu/libc.so.6 \
    /usr/lib/x86_64-linux-gnu/libc.so.6 /usr/lib/aarch64-linux-gnu/libc.so.6 \
    /lib64/libc.so.6 /usr/lib64/libc.so.6 /lib/libc.so.6 /usr/lib/libc.so.6 \
    /lib/ld-musl-x86_64.so.1 /lib/ld-musl-aarch64.so.1; do
    [ -e "$f" ] && { printf '%s' "$f"; return; }
  done
}

# serial_driver_main PROG ENTRY ARGS...: run driver PROG (cmd ENTRY) with its sandbox.
serial_driver_main() {
  local prog=$1 entry=$2
  shift 2
  local ups from_conf port user libc real
  ups=$(nut_opt_value "$SERIAL_GETOPT" a "$@")
  from_conf=$ups
  [ -n "$ups" ] || ups=$(nut_opt_value "$SERIAL_GETOPT" s "$@")
  port=$(serial_x_value port "$@")
  [ -n "$port" ] || [ -z "$from_conf" ] || port=$(serial_conf_value "$from_conf" port)

  local reads="$NUT_CONF,$NUT_STATE,$NUT_PID,/etc/group" writes="$NUT_STATE,$NUT_PID"
  if [ -n "$port" ] && [ "$port" != auto ]; then
    reads="$reads,$port"
    writes="$writes,$port"
    real=$(readlink -f -- "$port" 2>/dev/null || true)
    if [ -n "$real" ] && [ "$real" != "$port" ]; then
      reads="$reads,$real"
      writes="$writes,$real"
    fi
  fi
  libc=$(serial_libc)
  local perms=(--allow-read="$reads" --allow-write="$writes"
    --allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_READY_FIFO,NUT_LIBC)
  [ -n "$libc" ] && perms+=(--allow-ffi="$libc")
  [ -n "$ups" ] && perms+=(--allow-net="unix:$NUT_STATE/$prog-$ups")
  [ -n "$libc" ] && export NUT_LIBC=$libc

  # run-time user: -u, else ups.conf user= (started as that user when root)
  user=$(nut_opt_value "$SERIAL_GETOPT" u "$@")
  [ -n "$user" ] || [ -z "$from_conf" ] || user=$(serial_conf_value "$from_conf" user)
  [ -n "$user" ] && export NUT_RUN_AS=$user

  # NUT drivers print their banner before going to the background
  export NUT_STARTUP_STDOUT=1
  if nut_has_opt "$SERIAL_GETOPT" "hVLkdDF" "$@" && ! nut_has_opt "$SERIAL_GETOPT" "B" "$@"; then
    nut_exec "$entry" "${perms[@]}" -- "$@"
  fi
  nut_daemon "$prog" "$entry" "${perms[@]}" -- "$@"
}
