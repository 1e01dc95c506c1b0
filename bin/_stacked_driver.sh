# shellcheck shell=bash
# Launcher body of the drivers stacked on another driver's socket (clone,
# clone-outlet). Sourced after _launcher.sh and _ups_conf.sh; call
#   stacked_driver PROG ENTRY "$@"
# The driver may read its config dir, the state and PID dirs and the group
# database (for its socket's group), write the state and PID dirs, listen on
# its own socket and connect to the source driver's socket (port =
# <driver>-<ups> in the state dir) — nothing else: no TCP, no programs.
stacked_driver() {
  local prog=$1 entry=$2
  shift 2
  local getopt="+a:s:kFBDd:hx:Lqr:u:g:Vi:c:P:"
  local ups from_conf port user opt OPTIND OPTARG
  ups=$(nut_opt_value "$getopt" a "$@")
  from_conf=$ups
  [ -n "$ups" ] || ups=$(nut_opt_value "$getopt" s "$@")
  # -x port=... wins over ups.conf
  port=""
  OPTIND=1
  while getopts ":${getopt#+}" opt "$@"; do
    [ "$opt" = x ] && [[ "$OPTARG" == port=* ]] && port=${OPTARG#port=}
  done
  [ -n "$port" ] || [ -z "$from_conf" ] || port=$(ups_conf_value "$from_conf" port)

  local nets=()
  [ -n "$ups" ] && nets+=("unix:$NUT_STATE/$prog-$ups")
  [ -n "$port" ] && nets+=("unix:$NUT_STATE/$port")
  local perms=(--allow-read="$NUT_CONF,$NUT_STATE,$NUT_PID,/etc/group"
    --allow-write="$NUT_STATE,$NUT_PID"
    --allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_READY_FIFO)
  [ ${#nets[@]} -gt 0 ] && perms+=("--allow-net=$(IFS=,; echo "${nets[*]}")")

  # run-time user: -u, else ups.conf user= (section, else global)
  user=$(nut_opt_value "$getopt" u "$@")
  if [ -z "$user" ] && [ -n "$from_conf" ]; then
    user=$(ups_conf_value "$from_conf" user)
    [ -n "$user" ] || user=$(ups_conf_value "" user)
  fi
  [ -n "$user" ] && export NUT_RUN_AS=$user

  # NUT drivers print their banner before going to the background
  export NUT_STARTUP_STDOUT=1
  if nut_has_opt "$getopt" "hVLkdDFc" "$@" && ! nut_has_opt "$getopt" "B" "$@"; then
    nut_exec "$entry" "${perms[@]}" -- "$@"
  fi
  nut_daemon "$prog" "$entry" "${perms[@]}" -- "$@"
}
