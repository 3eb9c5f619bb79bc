#!/usr/bin/env bash
# Runs the Durable Streams conformance suite against this server: starts the built fat jar on a
# free loopback port with an embedded PostgreSQL in a fresh temporary directory and a 1 s
# long-poll timeout, runs ../shared/conformance/run-conformance.sh against it, stops the server
# by its PID. Exit status is the suite's (0 only when nothing failed); its last line is
# "conformance: N passed, N failed, N skipped". Extra arguments go to the suite, e.g. -t "JSON Mode".
#
# Environment: SHARED_DIR (default: the shared/ folder next to this repository), SKIP_BUILD=1 to
# use an existing tributary-server/target/tributary.jar, KEEP_WORK=1 to keep the server's logs.
# CONFORMANCE_SUBSCRIPTIONS=1 (and the suite's other variables) pass through to the harness: it adds
# the 6 webhook / pull-wake tests (338 in all; .ci/run sets it). The server's default webhook
# allow-list (loopback) is what those tests need: their receiver runs on 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
SHARED_DIR=${SHARED_DIR:-$(dirname "$ROOT")/shared}
RUNNER=$SHARED_DIR/conformance/run-conformance.sh
JAR=$ROOT/tributary-server/target/tributary.jar

[ -f "$RUNNER" ] || { echo "conformance: harness not found at $RUNNER (set SHARED_DIR)" >&2; exit 2; }
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
  ./mvnw -q -B -DskipTests -pl tributary-server -am package
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-conformance.XXXXXX")
SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"           # SIGTERM: the server stops, then its embedded PostgreSQL
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "server logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap stop_server EXIT

# run a private copy: a rebuild of the jar while the server runs would break its class loading
cp "$JAR" "$WORK/tributary.jar"
"$JAVA" ${JAVA_OPTS:-} -jar "$WORK/tributary.jar" serve --port 0 --data-dir "$WORK/pg" --long-poll-timeout 1s \
  >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

# --port 0 lets the server pick a free port; it prints the URL once it accepts requests
URL=
for _ in $(seq 1 240); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.out" 2>/dev/null | head -1 || true)
  [ -n "$URL" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "conformance: the server exited before it was ready:" >&2
    tail -n 40 "$WORK/server.err" >&2
    exit 1
  fi
  sleep 0.5
done
[ -n "$URL" ] || { echo "conformance: the server did not start in 120 s" >&2; tail -n 40 "$WORK/server.err" >&2; exit 1; }
curl -fsS "$URL/health" >/dev/null
echo "server up at $URL (pid $SERVER_PID)"

status=0
"$RUNNER" "$URL" "$@" || status=$?
if [ "$status" != 0 ]; then
  echo "--- last server log lines ---" >&2
  tail -n 40 "$WORK/server.err" >&2
fi
exit "$status"
