#!/usr/bin/env bash
# Fan-out at scale: one server (embedded PostgreSQL, fsync=on, pool 8) and READERS Durable Streams
# SSE readers spread over STREAMS attempt streams, all on loopback. Prints, one line each: appends'
# own latency without readers; how long the readers take to connect; with them idle, transactions/s
# (pg_stat_database), CPU of java and of PostgreSQL (/proc), busy backends, heap and RSS per
# reader; append -> delivery p50/p99 to all readers of a stream for one append (10 rounds) and for
# one append to every stream at once (3 rounds); appends' own latency with the readers.
#   scripts/bench-fanout.sh                      # STREAMS=100 READERS=10000 IDLE_SECONDS=20
# Knobs: STREAMS, READERS, IDLE_SECONDS, POOL (8), SKIP_BUILD=1, SSE_MAX_DURATION (10m: the readers
# connect within seconds, so with serve's 60 s all 10 000 would reconnect at once in the middle of
# the measured phases; real readers reconnect spread out), SERVER_ARGS (extra serve flags),
# SERVER_JVM_ARGS (extra JVM options of the server, e.g. a flight recording).
# The client is scripts/FanoutBench.java (one NIO selector for all readers). Takes about 2 minutes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
STREAMS=${STREAMS:-100}
READERS=${READERS:-10000}
# each reader is one descriptor in the server and one in the client
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((READERS + 2048)) ]; then
  echo "bench-fanout: the open-file limit $(ulimit -n) is too low for $READERS readers" >&2; exit 2
fi
[ "${SKIP_BUILD:-0}" = 1 ] && [ -f tributary-server/target/tributary.jar ] || ./mvnw -q -B -DskipTests -pl tributary-server -am package
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-fanout.XXXXXX")
cp tributary-server/target/tributary.jar "$WORK/"
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
"$JAVA_HOME/bin/java" ${SERVER_JVM_ARGS:-} -jar "$WORK/tributary.jar" serve --port 0 --data-dir "$WORK/pg" \
  --pool-size "${POOL:-8}" --sse-max-duration "${SSE_MAX_DURATION:-10m}" ${SERVER_ARGS:-} >"$WORK/out" 2>"$WORK/err" &
PID=$!
URL=
for _ in $(seq 1 240); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/out" | head -1 || true); [ -n "$URL" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/err" >&2; exit 1; }
  sleep 0.5
done
[ -n "$URL" ] || { echo "bench-fanout: the server did not start" >&2; cat "$WORK/err" >&2; exit 1; }
PG_PID=$(sed -n 1p "$WORK/pg/postmaster.pid")
PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
echo "server $URL pid=$PID postgres port=$PG_PORT pid=$PG_PID fsync=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d tributary -Atc 'show fsync') pool=${POOL:-8} sse_max_duration=${SSE_MAX_DURATION:-10m} fd_limit=$(ulimit -n) commit=$(git rev-parse --short HEAD)"
timeout 300 "$JAVA_HOME/bin/java" -Xmx1g "$ROOT/scripts/FanoutBench.java" "$URL" "$PID" "$PG_PORT" "$PG_PID" \
  "$STREAMS" $((READERS / STREAMS)) "${IDLE_SECONDS:-20}"
