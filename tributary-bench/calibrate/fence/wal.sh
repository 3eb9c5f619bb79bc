#!/usr/bin/env bash
# WAL bytes and full-page images per transaction of each script, c=1, DUR s after a CHECKPOINT
# (run.sh's condition) or without one (NOCKPT=1). Usage: wal.sh PORT SCRIPT...
HERE=$(cd "$(dirname "$0")" && pwd); . "$HERE/derived.sh"
PORT=$1; shift; DUR=${DUR:-3}
P="psql -qtAX -h 127.0.0.1 -p $PORT -U postgres"
for sc in "$@"; do
  db=lab; [ "$sc" = oneff ] && db=labff
  [ "${NOCKPT:-0}" = 1 ] || $P -d $db -c CHECKPOINT
  read -r l0 f0 <<<"$($P -d $db -c "SELECT pg_current_wal_lsn(), wal_fpi FROM pg_stat_wal" | tr '|' ' ')"
  out=$(pgbench -n -M prepared -c 1 -T "$DUR" -h 127.0.0.1 -p "$PORT" -U postgres -f "$(script_file "$sc")" $db 2>&1)
  $P -d $db -c "SELECT pg_stat_force_next_flush()" >/dev/null
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out")
  $P -d $db -c "SELECT '$sc', round($tps), $n, round((pg_current_wal_lsn() - '$l0'::pg_lsn) / $n), round((wal_fpi - $f0)::numeric / $n, 3) FROM pg_stat_wal" | tr '|' '\t'
done
