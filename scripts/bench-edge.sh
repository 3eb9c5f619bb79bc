#!/usr/bin/env bash
# Jetty vs Helidon in front of the same router, measured in one run on this machine: for each
# engine (interleaved, REPS times) a fresh server jar on an embedded PostgreSQL (fsync=on), then
# ../shared/conformance/bench/bench.mjs (c=16 appends to one stream, catch-up reads, append ->
# long-poll delivery) and the server's RSS. Prints one line per engine and repeat.
#   scripts/bench-edge.sh            # SECONDS_PER_RUN=10 REPS=2
# Kept while the Helidon edge exists (docs/web-server.md records the figures).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
SHARED_DIR=${SHARED_DIR:-$(dirname "$ROOT")/shared}
[ "${SKIP_BUILD:-0}" = 1 ] || ./mvnw -q -B -DskipTests -pl tributary-server -am package
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-edge.XXXXXX")
cp tributary-server/target/tributary.jar "$WORK/"
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
for rep in $(seq 1 "${REPS:-2}"); do
  for engine in jetty helidon; do
    rm -rf "$WORK/pg"; : >"$WORK/out"
    "$JAVA_HOME/bin/java" -Dtributary.httpEdge=$engine -jar "$WORK/tributary.jar" serve --port 0 \
      --data-dir "$WORK/pg" --long-poll-timeout 5s >"$WORK/out" 2>"$WORK/err" &
    PID=$!
    URL=
    for _ in $(seq 1 120); do
      URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/out" | head -1 || true); [ -n "$URL" ] && break; sleep 0.5
    done
    result=$(node "$SHARED_DIR/conformance/bench/bench.mjs" "$URL/v1/stream" --seconds "${SECONDS_PER_RUN:-10}" --concurrency 16 --size 100 --reads 1000 2>&1 | tr '\n' ' ')
    rss=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
    echo "rep=$rep engine=$engine rss_kib=$rss $result"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
