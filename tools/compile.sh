#!/usr/bin/env bash
# deno task compile: one self-contained binary per command in dist/, each
# carrying the same permission flags as its bin/ launcher (computed for the
# current NUT_CONFPATH / NUT_STATEPATH). `deno compile` downloads a runtime
# (denort) on first use, so this needs a host with internet access.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DENO=${NUT_DENO:-$ROOT/node_modules/.bin/deno}  # the binary: deno task would run an npm bin as JS
mkdir -p "$ROOT/dist"
for launcher in "$ROOT"/bin/*; do
  name=$(basename "$launcher")
  case $name in _*) continue ;; esac
  mapfile -t spec < <(NUT_PRINT_PERMS=1 "$launcher")
  # most launchers print their entry point first; bin/upsd prints only its flags
  if [[ ${spec[0]} == --* ]]; then entry=cmd/$name/main.ts; flags=("${spec[@]}")
  else entry=${spec[0]}; flags=("${spec[@]:1}"); fi
  echo "compiling $name ($entry)"
  "$DENO" compile --quiet --config="$ROOT/deno.json" "${flags[@]}" --output "$ROOT/dist/$name" "$ROOT/$entry"
done
