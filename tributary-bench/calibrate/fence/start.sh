#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 18 (the embedded fixture's binaries) as user nobody on a free
# loopback port, fsync/full_page_writes/synchronous_commit on, and loads the schema + setup.sql.
# Prints "PORT DATADIR PID"; stop with: runuser -u nobody -- $BIN/pg_ctl -D DATADIR stop -m fast
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
MIG=$HERE/../../../tributary-core/src/main/resources/io/tributary/db/migration
BIN=${PG_BIN:-$(ls -d /tmp/embedded-pg/PG-*/bin | head -1)}
D=$(mktemp -d /tmp/fencefloor-pg.XXXXXX); chown nobody "$D"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u nobody -- "$BIN/initdb" -D "$D/data" -U postgres -A trust >/dev/null
runuser -u nobody -- "$BIN/pg_ctl" -D "$D/data" -l "$D/log" -w -o "-h 127.0.0.1 -p $PORT -k $D \
  -c fsync=on -c full_page_writes=on -c synchronous_commit=on -c max_connections=50 \
  -c track_counts=on" start >/dev/null
P="psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PORT -U postgres"
# lab: the schema as it is; labff: the same with fillfactor 50 on tb_stream (set before any row)
for db in lab labff; do
  $P -c "CREATE DATABASE $db" postgres
  for f in V1__streams.sql V2__named_streams.sql V5__discovery.sql R__attempt_functions.sql R__discovery.sql; do
    $P -d $db -f "$MIG/$f" >/dev/null
    [ $db = labff ] && [ $f = V1__streams.sql ] && $P -d $db -c "ALTER TABLE tb_stream SET (fillfactor = 50)"
  done
  $P -d $db -f "$HERE/setup.sql" >/dev/null
done
echo "$PORT $D $(head -1 "$D/data/postmaster.pid")"
