# shellcheck shell=bash
# Transaction sets of both engines in one form, and the comparisons every decision uses.
# Sourced; pure functions of their arguments and ENGINE, tested on tables of sets.
#
# Normal form: one line per interval, "ORIGIN LOW HIGH".
#   MySQL GTID set  "uuid:1-5:7,uuid2[:tag]:1-3" -> "uuid 1 5", "uuid 7 7", "uuid2[:tag] 1 3"
#   MariaDB state   "0-100-523,0-101-7"         -> "0-100 1 523", "0-101 1 7"
#     (a MariaDB domain-server pair's last sequence number stands for everything before it,
#      as gtid_binlog_state does)
# The ORIGIN is where the transactions were first committed: a MySQL server_uuid (with its tag),
# a MariaDB domain-server_id pair; origin_of_server names this server's own.

# gtid_normal SET: the normal form, sorted; an empty set prints nothing
# (numbers leave awk through printf "%.0f": mawk prints a computed number above 2^31-1 as "5e+09"
# and clamps "%d" to 2147483647; doubles hold every sequence number up to 2^53 exactly)
gtid_normal() {
  local set=${1//[[:space:]]/}
  [[ -n $set ]] || return 0
  awk -v engine="${ENGINE:?}" -v set="$set" '
    function fail(msg) { print "gtid_normal: " msg ": " set > "/dev/stderr"; bad = 1; exit 1 }
    # awk numbers are doubles: above 2^53 - 1 two sequence numbers can compare equal (2^53 + 1 reads
    # as 2^53), so such a set is refused (unknown means wait), never compared inexactly
    function exact(n) { sub(/^0+/, "", n); return length(n) < 16 || (length(n) == 16 && n <= "9007199254740991") }
    BEGIN {
      n = split(set, items, ",")
      for (i = 1; i <= n; i++) {
        if (items[i] == "") continue
        if (engine == "mariadb") {
          if (items[i] !~ /^[0-9]+-[0-9]+-[0-9]+$/) fail("not a MariaDB GTID \"" items[i] "\"")
          split(items[i], f, "-")
          if (!exact(f[3])) fail("sequence number beyond 2^53 - 1, not compared exactly, in \"" items[i] "\"")
          key = f[1] "-" f[2]
          if (!(key in last) || f[3] + 0 > last[key]) last[key] = f[3] + 0
          continue
        }
        m = split(items[i], parts, ":")
        # no {n} interval here: mawk, the default awk of Debian and of the MariaDB image, has none
        if (length(parts[1]) != 36 || parts[1] !~ /^[0-9A-Fa-f-]+$/ || m < 2) fail("not a MySQL GTID set element \"" items[i] "\"")
        origin = tolower(parts[1])
        for (j = 2; j <= m; j++) {
          if (parts[j] ~ /^[0-9]+(-[0-9]+)?$/) {
            split(parts[j], r, "-")
            if (!exact(r[1]) || ((2 in r) && !exact(r[2]))) fail("transaction number beyond 2^53 - 1, not compared exactly, in " parts[j])
            lo = r[1] + 0; hi = (2 in r) ? r[2] + 0 : lo
            if (lo < 1 || hi < lo) fail("bad interval " parts[j])
            printf "%s %.0f %.0f\n", origin, lo, hi
            delete r
          } else if (parts[j] ~ /^[a-z_][a-z0-9_]*$/) {
            origin = tolower(parts[1]) ":" parts[j]
          } else fail("bad element " parts[j])
        }
      }
      for (key in last) if (last[key] > 0) printf "%s 1 %.0f\n", key, last[key]
    }' | sort -k1,1 -k2,2n
}

# gtid_subtract A B: the intervals of A that B does not hold, in normal form; status 1 (the
# reason on stderr) when a set does not parse. On MySQL, when the caller defines gtid_sql (runs the
# query on stdin on a MySQL server, prints the one value), the server does the arithmetic
# (GTID_SUBTRACT) and this file's own result must agree with it, or neither is used (status 1:
# the decisions wait and say why)
gtid_subtract() {
  local a b ours theirs
  a=$(gtid_normal "$1") || return 1
  b=$(gtid_normal "$2") || return 1
  ours=$(gtid_subtract_normal "$a" "$b" | gtid_canonical)
  if [[ ${ENGINE:?} == mysql ]] && declare -F gtid_sql >/dev/null; then
    theirs=$(server_subtract "$1" "$2") || return 1
    if [[ $theirs != "$ours" ]]; then
      printf 'gtid_subtract: the server'"'"'s GTID_SUBTRACT says "%s", gtid.sh says "%s"\n' \
        "$(gtid_text <<<"$theirs")" "$(gtid_text <<<"$ours")" >&2
      return 1
    fi
  fi
  [[ -z $ours ]] || printf '%s\n' "$ours"
}

# server_subtract A B: MySQL's GTID_SUBTRACT(A, B) through gtid_sql, in normal form. Only sets that
# parsed (gtid_normal) reach here, and their characters are checked again before they go into SQL.
server_subtract() {
  local a=${1//[[:space:]]/} b=${2//[[:space:]]/} answer
  if [[ ! $a =~ ^[0-9A-Za-z:,_-]*$ || ! $b =~ ^[0-9A-Za-z:,_-]*$ ]]; then
    printf 'gtid_subtract: a set holds characters no GTID set has\n' >&2
    return 1
  fi
  if ! answer=$(printf "SELECT REPLACE(GTID_SUBTRACT('%s', '%s'), CHAR(10 USING utf8mb4), '');\n" "$a" "$b" | gtid_sql 2>&1); then
    printf 'gtid_subtract: the server could not compute GTID_SUBTRACT: %s\n' "$(head -c 300 <<<"$answer")" >&2
    return 1
  fi
  gtid_normal "$answer" | gtid_canonical
}

# gtid_canonical: a normal form (stdin) with overlapping and adjacent intervals of an origin merged
# ("u 1 5" + "u 6 9" -> "u 1 9"), so equal sets print equal text
gtid_canonical() {
  sort -k1,1 -k2,2n | awk '
    $1 == origin && $2 <= hi + 1 { if ($3 > hi) hi = $3; next }
    { if (origin != "") print origin, lo, hi; origin = $1; lo = $2; hi = $3 }
    END { if (origin != "") print origin, lo, hi }'
}

# gtid_subtract_normal A B: A minus B, both in normal form (the shell's own arithmetic)
gtid_subtract_normal() {
  local a=$1 b=$2
  [[ -n $a ]] || return 0
  awk -v b="$b" '
    BEGIN {
      nb = split(b, lines, "\n")
      for (i = 1; i <= nb; i++) {
        if (split(lines[i], f, " ") != 3) continue
        k = ++count[f[1]]; blo[f[1], k] = f[2]; bhi[f[1], k] = f[3]
      }
    }
    {
      # cut every interval of B for this origin out of the pieces left of this interval of A
      np = 1; plo[1] = $2; phi[1] = $3
      for (k = 1; k <= count[$1]; k++) {
        lo = blo[$1, k]; hi = bhi[$1, k]; nn = 0
        for (p = 1; p <= np; p++) {
          if (hi < plo[p] || lo > phi[p]) { nn++; qlo[nn] = plo[p]; qhi[nn] = phi[p]; continue }
          if (plo[p] < lo) { nn++; qlo[nn] = plo[p]; qhi[nn] = lo - 1 }
          if (phi[p] > hi) { nn++; qlo[nn] = hi + 1; qhi[nn] = phi[p] }
        }
        np = nn
        for (p = 1; p <= np; p++) { plo[p] = qlo[p]; phi[p] = qhi[p] }
      }
      for (p = 1; p <= np; p++) printf "%s %.0f %.0f\n", $1, plo[p], phi[p]
    }' <<<"$a"
}

# gtid_subset A B: A's transactions are all in B
gtid_subset() {
  local rest
  rest=$(gtid_subtract "$1" "$2") || return 2
  [[ -z $rest ]]
}

# gtid_text NORMAL: a normal form (stdin) as a short readable list, e.g. "uuid:6-9, 0-101:1-7"
gtid_text() { awk '{ printf "%s%s:%s", (NR > 1 ? ", " : ""), $1, ($2 == $3 ? $2 : $2 "-" $3) } END { if (NR) print "" }'; }

# gtid_origins NORMAL: the distinct origins of a normal form (stdin)
gtid_origins() { awk '{ print $1 }' | sort -u; }

# origin_is_server ORIGIN SERVER_ORIGIN: ORIGIN was committed on the server whose own origin is
# SERVER_ORIGIN (MySQL: its server_uuid, any tag; MariaDB: its server_id in any domain)
origin_is_server() {
  if [[ ${ENGINE:?} == mariadb ]]; then
    [[ ${1#*-} == "$2" ]]
  else
    [[ ${1%%:*} == "${2,,}" ]]
  fi
}
