#!/usr/bin/env bash
# HTTP benchmark, side by side in one run: Tributary (the built jar, embedded PostgreSQL with
# fsync=on, its own temporary data directory) against the Durable Streams Node reference server
# (@durable-streams/server, as pinned by ../shared/conformance) in memory and file-backed, all on
# free loopback ports, all driven by the same load generator (scripts/bench-http.mjs). Prints every
# figure with its ratio to each reference, plus the calibration that bounds them on this machine:
# the disk's fsync latency (pg_test_fsync), PostgreSQL's own one-row commits and Tributary's append
# function run straight by pgbench, what the generator reaches against a server that does nothing,
# and Tributary's HTTP stack alone (GET /livez, no storage). Everything it starts it stops (trap EXIT).
#
#   scripts/bench-http.sh                      # SECONDS_PER_RUN=5 REPS=1, about 6 minutes
#   REPS=3 scripts/bench-http.sh               # each figure 3 times (median, [min-max])
#
# Environment: SKIP_BUILD=1 (use the existing jars), SHARED_DIR (default ../shared, else ../../shared),
# DS_HARNESS_HOME (an `npm ci` of ../shared/conformance; default ~/.cache/ds-conformance when it
# has the packages, else a fresh `npm ci` into a temporary copy), DELIVERIES (round trips per
# delivery figure, 200), WARMUP_SECONDS (unmeasured load per server first, 15), KEEP_WORK=1 (keep logs
# and raw results), PRODUCER_WARMUP_SECONDS (unmeasured appends of each producer, TS and SDK alike,
# before its measured run: 5; the SDK's JVM starts cold in every run; the two alternate which goes
# first per repeat, so use REPS=2 or more for their ratio), ONLY (a comma list of the
# groups to run: calibration,probe,append,delivery,rest,producer; default all of them), FLOOR_SAMPLES
# (commits of the delivery floor calibration, NotifyFloor, run with the delivery group: 1000).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
SHARED_DIR=${SHARED_DIR:-$(dirname "$ROOT")/shared}
[ -d "$SHARED_DIR" ] || SHARED_DIR=$(dirname "$(dirname "$ROOT")")/shared   # a worktree one level deeper
SECS=${SECONDS_PER_RUN:-5}
REPS=${REPS:-1}
DELIVERIES=${DELIVERIES:-200}
PRODUCER_WARMUP=${PRODUCER_WARMUP_SECONDS:-5}
ONLY=${ONLY:-calibration,probe,append,delivery,rest,producer}
want() { [[ ",$ONLY," == *",$1,"* ]]; }
GEN="$ROOT/scripts/bench-http.mjs"

command -v node >/dev/null || { echo "bench-http: node is required" >&2; exit 2; }
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f tributary-server/target/tributary.jar ] \
   || [ ! -d tributary-bench/target/bench-lib ]; then
  ./mvnw -q -B -DskipTests -pl tributary-server,tributary-bench -am package
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-http.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the reference server and TS client: the conformance harness's pinned packages ----------------
HARNESS=${DS_HARNESS_HOME:-$HOME/.cache/ds-conformance}
if [ ! -f "$HARNESS/node_modules/@durable-streams/server/package.json" ] \
   || [ ! -f "$HARNESS/node_modules/@durable-streams/client/package.json" ]; then
  HARNESS=$WORK/harness
  mkdir -p "$HARNESS"
  cp "$SHARED_DIR/conformance/package.json" "$SHARED_DIR/conformance/package-lock.json" \
     "$SHARED_DIR/conformance/serve-reference.mjs" "$HARNESS/"
  (cd "$HARNESS" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
cp "$SHARED_DIR/conformance/serve-reference.mjs" "$WORK/serve-reference.mjs" 2>/dev/null \
  || cp "$HARNESS/serve-reference.mjs" "$WORK/serve-reference.mjs"
ln -s "$HARNESS/node_modules" "$WORK/node_modules"
export DS_CLIENT_DIR=$HARNESS
REF_VERSION=$(node -p "require('$HARNESS/node_modules/@durable-streams/server/package.json').version")
CLIENT_VERSION=$(node -p "require('$HARNESS/node_modules/@durable-streams/client/package.json').version")

# --- start everything: each prints its URL once it serves ------------------------------------------
await_url() { # file pid what
  for _ in $(seq 1 240); do
    local u
    u=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" 2>/dev/null | head -1 || true)
    if [ -n "$u" ]; then echo "$u"; return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "bench-http: $3 exited:" >&2; tail -n 30 "$1" "${1%.out}.err" >&2 2>/dev/null; return 1; }
    sleep 0.5
  done
  echo "bench-http: $3 did not start in 120 s" >&2
  return 1
}
cp tributary-server/target/tributary.jar "$WORK/tributary.jar"
"$JAVA" ${JAVA_OPTS:-} -jar "$WORK/tributary.jar" serve --port 0 --data-dir "$WORK/pg" \
  >"$WORK/tributary.out" 2>"$WORK/tributary.err" &
PIDS+=($!); TB_PID=$!
node "$WORK/serve-reference.mjs" --host 127.0.0.1 --port 0 --long-poll-ms 30000 \
  >"$WORK/ref-mem.out" 2>"$WORK/ref-mem.err" &
PIDS+=($!); MEM_PID=$!
mkdir -p "$WORK/ref-data"
node "$WORK/serve-reference.mjs" --host 127.0.0.1 --port 0 --long-poll-ms 30000 --data-dir "$WORK/ref-data" \
  >"$WORK/ref-file.out" 2>"$WORK/ref-file.err" &
PIDS+=($!); FILE_PID=$!
# the calibration server: answers every request at once and stores nothing (the generator's ceiling);
# REST calls get the JSON the rest phase reads, a batch one outcome per line as Tributary answers it
node -e '
const http = require("http");
const s = http.createServer((q, r) => { let lines = 1; q.on("data", (c) => { for (const b of c) if (b === 10) lines++; });
  q.on("end", () => {
  if (!q.url.startsWith("/v1/executions")) { r.writeHead(q.method === "PUT" ? 201 : 204, { "Stream-Next-Offset": "0" }); r.end(); return; }
  const o = (i) => `{"id":"1764621234567-${i}","frame_count":${100000 + i}}`;
  const body = q.url.endsWith("/batch") ? `{"frames":[${Array.from({ length: lines }, (_, i) => o(i)).join(",")}],"count":${lines}}`
    : `{"execution_id":"{p0}00000000-0000-4000-8000-000000000000","handle":"h","id":"1764621234567-0","frame_count":1}`;
  r.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) }); r.end(body); }); });
s.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${s.address().port}`));' \
  >"$WORK/null.out" 2>"$WORK/null.err" &
PIDS+=($!); NULL_PID=$!
TB=$(await_url "$WORK/tributary.out" "$TB_PID" tributary)
MEM=$(await_url "$WORK/ref-mem.out" "$MEM_PID" "reference (in memory)")
FILE=$(await_url "$WORK/ref-file.out" "$FILE_PID" "reference (file-backed)")
NULL=$(await_url "$WORK/null.out" "$NULL_PID" "null server")
curl -fsS "$TB/health" >/dev/null
FSYNC=$(grep -o 'fsync[^,)]*' "$WORK/tributary.err" | head -1 || true)
echo "tributary $TB (pid $TB_PID, embedded PostgreSQL, ${FSYNC:-fsync=on}); reference @durable-streams/server $REF_VERSION in memory $MEM, file-backed $FILE; client @durable-streams/client $CLIENT_VERSION" >&2

RESULTS=$WORK/results.jsonl
run() { # phase name url args...
  local phase=$1 name=$2 url=$3; shift 3
  timeout $((SECS * 4 + 120)) node "$GEN" "$phase" "$name" "$url" --seconds "$SECS" "$@" >>"$RESULTS" \
    || echo "{\"name\":\"$name\",\"phase\":\"$phase\",\"error\":\"generator failed\"}" >>"$RESULTS"
}
sdk() { # name url
  timeout $((SECS * 4 + 120)) "$JAVA" -cp "tributary-bench/target/classes:tributary-bench/target/bench-lib/*" \
    io.tributary.bench.SdkAppendBench "$2" "$SECS" 100 "$1" "$PRODUCER_WARMUP" >>"$RESULTS" 2>>"$WORK/sdk.err" \
    || echo "{\"name\":\"$1\",\"phase\":\"sdk\",\"error\":\"sdk bench failed\"}" >>"$RESULTS"
}

# --- calibration: the disk's fsync, the generator against a server that does nothing ---------------
PG_TEST_FSYNC=$(command -v pg_test_fsync || ls /usr/lib/postgresql/*/bin/pg_test_fsync 2>/dev/null | tail -1 || true)
if [ -n "$PG_TEST_FSYNC" ]; then
  # fdatasync of one 8 kB write, what a WAL flush costs (PostgreSQL's default wal_sync_method)
  (cd "$WORK" && "$PG_TEST_FSYNC" -s 2 -f "$WORK/fsync-test" 2>/dev/null | grep -m1 -E '^[[:space:]]+fdatasync' \
    | awk -v n=calibration '{for(i=1;i<=NF;i++) if ($i=="ops/sec") {printf "{\"name\":\"%s\",\"phase\":\"fsync\",\"fsync_per_s\":%d,\"fsync_ms\":%.3f}\n", n, $(i-1), 1000/$(i-1)}}' >>"$RESULTS") || true
fi

# what PostgreSQL itself commits on this disk: one-row INSERT transactions (synchronous_commit=on),
# c=1 and c=16, in a database of its own on Tributary's embedded server. c synchronous writers
# cannot pass c / (commit latency), whatever the server does in front of the database.
PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid" 2>/dev/null || true)
if command -v pgbench >/dev/null && command -v psql >/dev/null && [ -n "$PG_PORT" ]; then
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE bench_calibration" >/dev/null 2>&1 || true
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench_calibration \
    -c "ALTER DATABASE bench_calibration SET synchronous_commit = on" \
    -c "CREATE TABLE IF NOT EXISTS commit_probe (v text)" >/dev/null
  echo "INSERT INTO commit_probe VALUES (repeat('x', 100));" >"$WORK/commit.sql"
  # and Tributary's own append, the statement its named-stream committer sends for a batch of one
  # (tb_ds_append_batch, 100 B), straight from pgbench: what the append path costs in the database
  # without HTTP, JVM or committer hand-off; c=16 on 16 streams (no batching: one call each)
  for i in $(seq 1 16); do
    curl -fsS -X PUT -H 'Content-Type: application/octet-stream' "$TB/v1/stream/bench-calibration-fn-$i" >/dev/null
  done
  cat >"$WORK/append-fn.sql" <<'SQL'
\set n (:client_id % 16) + 1
SELECT r_status FROM tb_ds_append_batch(ARRAY['/v1/stream/bench-calibration-fn-' || :n], NULL,
  ARRAY['application/octet-stream'], ARRAY[1]::int4[], ARRAY[convert_to(repeat('x', 100), 'UTF8')]::bytea[],
  ARRAY[false], ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[NULL]::int8[], ARRAY[NULL]::int8[]);
SQL
  TB_DB=$(grep -o 'jdbc:postgresql://[^, ]*' "$WORK/tributary.err" | head -1 | sed 's|.*/||')
  commit_calibration() {
    for c in 1 16; do
      for probe in "commit commit.sql bench_calibration" "append_fn append-fn.sql ${TB_DB:-tributary}"; do
        set -- $probe
        pgbench -n -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "$c" -j $((c > 1 ? 2 : 1)) -T "$SECS" \
          -f "$WORK/$2" "$3" 2>/dev/null \
          | awk -v c="$c" -v ph="$1" '/^latency average/ {lat=$4} /^tps/ {tps=$3}
              END {if (tps) printf "{\"name\":\"postgres\",\"phase\":\"%s\",\"concurrency\":%d,\"tps\":%d,\"latency_ms\":%s}\n", ph, c, tps, lat}' >>"$RESULTS" || true
      done
    done
  }
else
  commit_calibration() { :; }
fi

# unmeasured warm-up of every server (the JVM's JIT needs ~10 s of load; results go nowhere)
echo "warm-up, ${WARMUP_SECONDS:-15} s per server" >&2
for side in "$TB" "$MEM" "$FILE"; do
  timeout 120 node "$GEN" append warmup "$side" --seconds "${WARMUP_SECONDS:-15}" --concurrency 16 --streams 4 >/dev/null || true
  timeout 60 node "$GEN" delivery warmup "$side" --mode raw-sse --count 100 >/dev/null || true
done
timeout 60 node "$GEN" rest warmup "$TB" --seconds 3 --batch 100 >/dev/null || true
# the producers' path (100 kB requests with producer headers) is not what the appends above warm:
# without this the server's JIT was still speeding up during the first producer figures (2026-12-01)
want producer && { timeout 120 node "$GEN" producer warmup "$TB" --seconds "${WARMUP_SECONDS:-15}" --warmup 0 >/dev/null || true; }

for rep in $(seq 1 "$REPS"); do
  want calibration && commit_calibration
  echo "repeat $rep of $REPS" >&2
  want probe && for c in 1 16; do
    for side in "null $NULL" "tributary $TB"; do
      run probe ${side% *} ${side#* } --concurrency "$c" --path /livez
    done
  done
  want append && for c in "1 1" "16 1" "16 16"; do
    set -- $c
    for side in "null $NULL" "tributary $TB" "ref-mem $MEM" "ref-file $FILE"; do
      run append ${side% *} ${side#* } --concurrency "$1" --streams "$2"
    done
  done
  # the delivery floor of a durable system on this database: commit (INSERT + pg_notify, flushed)
  # -> LISTEN arrival (+ one read), no HTTP; NotifyFloor's javadoc says how it measures
  want delivery && [ -n "$PG_PORT" ] && { timeout 120 "$JAVA" -cp "tributary-bench/target/classes:tributary-bench/target/bench-lib/*" \
    io.tributary.bench.NotifyFloor "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" "${FLOOR_SAMPLES:-1000}" 2 >>"$RESULTS" 2>>"$WORK/floor.err" \
    || echo '{"name":"postgres","phase":"notify_floor","error":"NotifyFloor failed"}' >>"$RESULTS"; }
  want delivery && for mode in raw-sse raw-long-poll ts-sse ts-long-poll; do
    for side in "tributary $TB" "ref-mem $MEM" "ref-file $FILE"; do
      run delivery ${side% *} ${side#* } --mode "$mode" --count "$DELIVERIES"
    done
  done
  if want rest; then
    run rest tributary "$TB" --concurrency 1 --batch 1
    run rest tributary "$TB" --concurrency 16 --batch 1
    run rest tributary "$TB" --concurrency 1 --batch 100
    run rest null "$NULL" --concurrency 1 --batch 100
  fi
  if want producer; then
    # TS first in odd repeats, the SDK first in even ones: neither always meets a fresher server
    if [ $((rep % 2)) = 1 ]; then
      run producer ts-producer "$TB" --warmup "$PRODUCER_WARMUP"
      sdk sdk-producer "$TB"
    else
      sdk sdk-producer "$TB"
      run producer ts-producer "$TB" --warmup "$PRODUCER_WARMUP"
    fi
  fi
done

node "$GEN" report bench "$TB" --results "$RESULTS"
[ "${KEEP_WORK:-0}" = 1 ] && cp "$RESULTS" "$WORK/results-final.jsonl"
exit 0
