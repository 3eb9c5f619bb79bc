#!/usr/bin/env bash
# Side by side, interleaved: each script at c=1 and c=8 (one stream per client), DUR s, REPS
# repeats, CHECKPOINT before each run; tps, latency, and tb_stream's HOT share during the run.
# Usage: run.sh PORT   (a server from start.sh). Prints a TSV on stdout.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/derived.sh"
PORT=$1; DUR=${DUR:-10}; REPS=${REPS:-2}
SCRIPTS=${SCRIPTS:-"ins one onenew lock1 lockfn upd2 narrow oneff"}
[ "${RESET:-1}" = 1 ] && for db in lab labff; do psql -qX -h 127.0.0.1 -p "$PORT" -U postgres -d $db -f "$HERE/reset.sql" >/dev/null; done
P="psql -qtAX -h 127.0.0.1 -p $PORT -U postgres"
stats() { $P -d "$1" -c "SELECT sum(n_tup_upd)||' '||sum(n_tup_hot_upd) FROM pg_stat_user_tables WHERE relname IN ('tb_stream','cal_stream_hot')"; }
printf 'rep\tc\tscript\ttps\tlat_ms\tupd\thot_upd\tload\n'
for rep in $(seq "$REPS"); do
  for c in 1 8; do
    j=$([ "$c" = 1 ] && echo 1 || echo 2)
    for sc in $SCRIPTS; do
      db=lab; [ "$sc" = oneff ] && db=labff
      $P -d $db -c CHECKPOINT
      $P -d $db -c "SELECT pg_stat_force_next_flush()" >/dev/null
      read -r u0 h0 <<<"$(stats $db)"
      out=$(pgbench -n -M prepared -c "$c" -j "$j" -T "$DUR" -h 127.0.0.1 -p "$PORT" -U postgres -f "$(script_file "$sc")" "$db" 2>&1)
      sleep 1
      read -r u1 h1 <<<"$(stats $db)"
      tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out"); lat=$(sed -n 's/^latency average = \([0-9.]*\).*/\1/p' <<<"$out")
      fail=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
      [ -n "$tps" ] || { echo "$out" >&2; exit 1; }
      [ "${fail:-0}" = 0 ] || echo "WARN $sc c=$c failed=$fail" >&2
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$c" "$sc" "$tps" "$lat" "$((u1-u0))" "$((h1-h0))" "$(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
