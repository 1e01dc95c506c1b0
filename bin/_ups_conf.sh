# shellcheck shell=bash
# ups.conf as far as a launcher's permission decisions need it (the program
# itself parses the file for real). Sourced by launchers after _launcher.sh.

# ups_conf_triples: "<section>\t<key>\t<value>" per setting, section empty for
# the global part; values unquoted, comments dropped.
ups_conf_triples() {
  [ -r "$NUT_CONF/ups.conf" ] || return 0
  awk '
    function unq(v) {
      if (substr(v, 1, 1) == "\"") { v = substr(v, 2); sub(/".*$/, "", v) }
      else { sub(/[ \t#].*$/, "", v) }
      gsub(/\\/, "", v)
      return v
    }
    {
      line = $0
      if (line !~ /"/) sub(/#.*/, "", line)
      if (match(line, /^[ \t]*\[[^] \t]*\][ \t]*$/)) {
        sec = line; gsub(/^[ \t]*\[|\][ \t]*$/, "", sec); next
      }
      if (match(line, /^[ \t]*[^ \t=]+[ \t]*=[ \t]*/)) {
        key = line; sub(/^[ \t]*/, "", key); sub(/[ \t]*=.*$/, "", key)
        printf "%s\t%s\t%s\n", sec, key, unq(substr(line, RLENGTH + 1))
      }
    }
  ' "$NUT_CONF/ups.conf"
}

# ups_conf_value SECTION KEY: last value of KEY in SECTION ("" = global part).
ups_conf_value() {
  ups_conf_triples | awk -F '\t' -v s="$1" -v k="$2" '$1 == s && $2 == k { v = $3 } END { printf "%s", v }'
}

# ups_conf_sections: "<name>\t<driver>\t<port>" per section, in file order.
ups_conf_sections() {
  ups_conf_triples | awk -F '\t' '
    $1 == "" { next }
    !($1 in seen) { seen[$1] = 1; order[++n] = $1 }
    $2 == "driver" { drv[$1] = $3 }
    $2 == "port" { port[$1] = $3 }
    END { for (i = 1; i <= n; i++) printf "%s\t%s\t%s\n", order[i], drv[order[i]], port[order[i]] }
  '
}
