#!/usr/bin/env bash
# A quick load check of the HTTP edge: REPS times a fresh server jar on an embedded PostgreSQL
# (fsync=on), then
# ../shared/conformance/bench/bench.mjs (c=16 appends to one stream, catch-up reads, append ->
# long-poll delivery), the server's RSS, and its RSS per idle SSE reader (scripts/sse-idle-probe.py,
# IDLE_READERS=2000). Prints one line per engine and repeat.
#   scripts/bench-edge.sh            # SECONDS_PER_RUN=10 REPS=2
# docs/web-server.md has the figures of the Jetty/Helidon comparison this was written for (run at
# commit 0f0e81a..926312a, when -Dtributary.httpEdge=helidon still selected Helidon).
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
  for engine in jetty; do
    rm -rf "$WORK/pg"; : >"$WORK/out"
    "$JAVA_HOME/bin/java" -jar "$WORK/tributary.jar" serve --port 0 \
      --data-dir "$WORK/pg" --long-poll-timeout 5s >"$WORK/out" 2>"$WORK/err" &
    PID=$!
    URL=
    for _ in $(seq 1 120); do
      URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/out" | head -1 || true); [ -n "$URL" ] && break; sleep 0.5
    done
    result=$(node "$SHARED_DIR/conformance/bench/bench.mjs" "$URL/v1/stream" --seconds "${SECONDS_PER_RUN:-10}" --concurrency 16 --size 100 --reads 1000 2>&1 | tr '\n' ' ')
    rss=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
    idle=$(python3 scripts/sse-idle-probe.py "$URL" "$PID" "${IDLE_READERS:-2000}" 2>&1 | tail -1)
    echo "rep=$rep engine=$engine rss_kib=$rss $result | $idle"
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
  done
done
