#!/usr/bin/env bash
# Median server execution time (EXPLAIN ANALYZE, TIMING OFF) of each script's statement, N runs
# in one session, each rolled back; stream number $STREAM (written in for :s).
# Usage: exectime.sh PORT SCRIPT...
HERE=$(cd "$(dirname "$0")" && pwd); . "$HERE/derived.sh"
PORT=$1; shift; N=${N:-30}; S=${STREAM:-9}
for sc in "$@"; do
  db=lab; [ "$sc" = oneff ] && db=labff
  q=$(grep -v '^\\' "$(script_file "$sc")" | tr '\n' ' ' | sed -E "s/:s::(text|int)/'$S'::\1/g")
  (for i in $(seq $N); do echo "BEGIN; EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, SUMMARY ON) $q ROLLBACK;"; done) |
    psql -qtAX -h 127.0.0.1 -p "$PORT" -U postgres -d $db 2>&1 | sed -n 's/^Execution Time: \([0-9.]*\) ms/\1/p' |
    sort -n | awk -v s="$sc" '{a[NR]=$1} END {printf "%-8s median %.3f ms  p25 %.3f  p75 %.3f  (n=%d)\n", s, a[int(NR/2)+1], a[int(NR/4)+1], a[int(3*NR/4)+1], NR}'
done
