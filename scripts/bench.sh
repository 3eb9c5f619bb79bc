#!/usr/bin/env bash
# Tributary durable appends/s next to the seed's SQL replayed by pgbench, a plain-INSERT ceiling
# (pgjdbc, one row per transaction) and Redis XADD with appendfsync always, in one run on one
# machine and one PostgreSQL (embedded PG 18 by default, fsync on), with ratios. Prints a table; keeps runs.csv,
# report.txt and the pgbench logs under $OUT.
#
#   scripts/bench.sh                       # ~4 min: w1, w8, grow; DUR=10 REPS=2
#   REPS=3 scripts/bench.sh                # medians of 3 interleaved repeats (~6 min)
#   CASES="w1 w8 w64 grow cap capfresh" scripts/bench.sh   # + scaling and retention-cap cases
#   DB=127.0.0.1:5432 PGUSER=ffbench PGPASSWORD=ffbench scripts/bench.sh   # an external server
#
# Knobs (environment): DUR (s per run, 10), REPS (2), WARMUP (s, 5), CASES ("w1 w8 w8p32 grow capfresh"; also
# wN for any N, wNpM (N writers, M appends in flight each), cap/capN and capfresh/capfreshN), PRELOAD (100000), DB (host:port, empty =
# embedded), PGUSER, PGPASSWORD, REF_DIR (default ../shared/bench/pg-reference from the repo
# root), OUT, SKIP_BUILD=1,
# QUIET_WAIT (s to wait before each run for other load on the shared machine to drop; 15,
# at most 120 s per bench), REDIS (1: start a redis-server and measure it; 0: no Redis column).
# Needs pgbench and psql on PATH (PGBENCH=, PSQL= to override).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"

for tool in "${PGBENCH:-pgbench}" "${PSQL:-psql}"; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install postgresql-client)" >&2; exit 2; }
done

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -d tributary-bench/target/bench-lib ]; then
  echo "building tributary-bench (and what it depends on) ..." >&2
  rm -rf tributary-bench/target/bench-lib
  ./mvnw -q -B -pl tributary-bench -am package -DskipTests
fi

OUT=${OUT:-$ROOT/tributary-bench/target/bench-results/$(date -u +%Y%m%d-%H%M%S)}
if [ -z "${REF_DIR:-}" ]; then
  # the shared directory sits next to the main checkout; a worktree is one level deeper
  for d in "$ROOT/../shared/bench/pg-reference" "$ROOT/../../shared/bench/pg-reference"; do
    [ -d "$d" ] && { REF_DIR=$d; break; }
  done
fi

# Redis Streams side by side: a redis-server of our own on a free loopback port, AOF with an
# fsync before every reply (appendfsync always), data in a temporary directory; stopped on exit.
REDIS_ARGS=()
if [ "${REDIS:-1}" = 1 ]; then
  if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing redis-server (Debian) ..." >&2
      apt-get install -y redis-server >/dev/null
    else
      echo "bench: redis-server/redis-benchmark not found (apt-get install -y redis-server, or REDIS=0)" >&2; exit 2
    fi
  fi
  REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-redis.XXXXXX")
  REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes --save '' \
    --appendonly yes --appendfsync always --dir "$REDIS_DIR" --daemonize no >"$REDIS_DIR/redis.log" 2>&1 &
  REDIS_PID=$!
  trap 'kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; rm -rf "$REDIS_DIR"' EXIT
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" PING >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" PING >/dev/null || { echo "bench: redis-server did not start:" >&2; cat "$REDIS_DIR/redis.log" >&2; exit 2; }
  REDIS_ARGS=(--redis "127.0.0.1:$REDIS_PORT" --redis-pid "$REDIS_PID")
fi

"$JAVA_HOME/bin/java" -Xms512m -Xmx2g -XX:+UseG1GC \
  -cp "tributary-bench/target/classes:tributary-bench/target/bench-lib/*" \
  io.tributary.bench.AppendBench \
  --ref-dir "${REF_DIR:-$ROOT/../shared/bench/pg-reference}" \
  --dur "${DUR:-10}" --reps "${REPS:-2}" --warmup "${WARMUP:-5}" \
  --cases "${CASES:-w1 w8 w8p32 grow capfresh}" --preload "${PRELOAD:-100000}" \
  --db "${DB:-}" --user "${PGUSER:-postgres}" \
  --pgbench "${PGBENCH:-pgbench}" --psql "${PSQL:-psql}" \
  --quiet-wait "${QUIET_WAIT:-15}" --out "$OUT" "${REDIS_ARGS[@]}" "$@"
