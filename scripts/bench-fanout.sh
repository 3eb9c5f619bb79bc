#!/usr/bin/env bash
# Fan-out at scale: one server (embedded PostgreSQL, fsync=on, pool 8) and READERS Durable Streams
# SSE readers spread over STREAMS attempt streams, all on loopback. Prints, one line each: appends'
# own latency without readers; how long the readers take to connect; with them idle, transactions/s
# (pg_stat_database), CPU of java and of PostgreSQL (/proc), busy backends, heap and RSS per
# reader; append -> delivery p50/p99 to all readers of a stream for one append (10 rounds) and for
# one append to every stream at once (3 rounds); appends' own latency with the readers.
#   scripts/bench-fanout.sh                      # STREAMS=100 READERS=10000 IDLE_SECONDS=20
# Knobs: STREAMS, READERS, IDLE_SECONDS, WARMUP_ROUNDS (5: bursts and single appends after the
# connect, before the idle phase, so the measured phases run compiled code), POOL (8), SKIP_BUILD=1, SSE_MAX_DURATION (10m: the readers
# connect within seconds, so with serve's 60 s all 10 000 would reconnect at once in the middle of
# the measured phases; real readers reconnect spread out), SERVER_ARGS (extra serve flags),
# SERVER_JVM_ARGS / CLIENT_JVM_ARGS (extra JVM options of the server / the client, e.g. a flight
# recording), CALIBRATE=1 (the same
# client against scripts/FanoutNullServer.java instead of Tributary: the client's own ceiling; with
# NULL_APPEND_CPU_US=2000 NULL_APPEND_FSYNC=1 its appends cost about what Tributary's do: that much
# CPU on one of 2 worker threads and an fdatasync'd write, answered before the readers' writes),
# APPENDS_ONLY=1 (only the connect, the warm-up and the three 8 s append loads, each with its CPU per
# append: a quick look at the appends' ratio), STAGES=1 (the server records Tributary's live-read flight-recorder events, scripts/fanout-stages.jfc,
# and scripts/FanoutStages.java prints each burst's stages: commits, wakes, re-queries, pages, writes).
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
if [ "${CALIBRATE:-0}" = 1 ]; then
  # the client against scripts/FanoutNullServer.java (one thread, answers from memory, writes each
  # append's event to all its readers at once): what the client and loopback alone need
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-fanout.XXXXXX")
  PID=
  trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; cat "$WORK/out" 2>/dev/null | tail -n +2; rm -rf "$WORK"' EXIT
  "$JAVA_HOME/bin/java" ${SERVER_JVM_ARGS:-} "$ROOT/scripts/FanoutNullServer.java" >"$WORK/out" 2>"$WORK/err" &
  PID=$!
  URL=
  for _ in $(seq 1 120); do
    URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/out" | head -1 || true); [ -n "$URL" ] && break
    sleep 0.25
  done
  [ -n "$URL" ] || { echo "bench-fanout: the null server did not start" >&2; cat "$WORK/err" >&2; exit 1; }
  echo "calibration: null server $URL pid=$PID (no database: the xact and postgres figures are 0)"
  timeout 300 "$JAVA_HOME/bin/java" -Xmx1g ${CLIENT_JVM_ARGS:-} "$ROOT/scripts/FanoutBench.java" "$URL" "$PID" 0 0 \
    "$STREAMS" $((READERS / STREAMS)) "${IDLE_SECONDS:-20}" "${WARMUP_ROUNDS:-5}" "${APPENDS_ONLY:-0}"
  exit
fi
[ "${SKIP_BUILD:-0}" = 1 ] && [ -f tributary-server/target/tributary.jar ] || ./mvnw -q -B -DskipTests -pl tributary-server -am package
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-fanout.XXXXXX")
cp tributary-server/target/tributary.jar "$WORK/"
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
STAGE_ARGS=
[ "${STAGES:-0}" = 1 ] && STAGE_ARGS="-XX:StartFlightRecording=name=stages,settings=$ROOT/scripts/fanout-stages.jfc"
"$JAVA_HOME/bin/java" ${SERVER_JVM_ARGS:-} $STAGE_ARGS -jar "$WORK/tributary.jar" serve --port 0 --data-dir "$WORK/pg" \
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
timeout 300 "$JAVA_HOME/bin/java" -Xmx1g ${CLIENT_JVM_ARGS:-} "$ROOT/scripts/FanoutBench.java" "$URL" "$PID" "$PG_PORT" "$PG_PID" \
  "$STREAMS" $((READERS / STREAMS)) "${IDLE_SECONDS:-20}" "${WARMUP_ROUNDS:-5}" "${APPENDS_ONLY:-0}" | tee "$WORK/client.txt"
if [ "${STAGES:-0}" = 1 ]; then
  "$JAVA_HOME/bin/jcmd" "$PID" JFR.dump name=stages filename="$WORK/stages.jfr" >/dev/null
  "$JAVA_HOME/bin/java" "$ROOT/scripts/FanoutStages.java" "$WORK/stages.jfr" "$WORK/client.txt"
  KEEP=$(mktemp -d "${TMPDIR:-/tmp}/bench-fanout-stages.XXXXXX"); cp "$WORK/stages.jfr" "$WORK/client.txt" "$KEEP/"
  echo "stages: recording and client output kept in $KEEP"
fi
