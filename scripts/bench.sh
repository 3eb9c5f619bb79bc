#!/usr/bin/env bash
# Tributary durable appends/s next to the seed's SQL replayed by pgbench, in one run on one
# PostgreSQL (embedded PG 18 by default), with ratios. Prints a table; keeps runs.csv,
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
# at most 120 s per bench).
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
exec "$JAVA_HOME/bin/java" -Xms512m -Xmx2g -XX:+UseG1GC \
  -cp "tributary-bench/target/classes:tributary-bench/target/bench-lib/*" \
  io.tributary.bench.AppendBench \
  --ref-dir "${REF_DIR:-$ROOT/../shared/bench/pg-reference}" \
  --dur "${DUR:-10}" --reps "${REPS:-2}" --warmup "${WARMUP:-5}" \
  --cases "${CASES:-w1 w8 w8p32 grow capfresh}" --preload "${PRELOAD:-100000}" \
  --db "${DB:-}" --user "${PGUSER:-postgres}" \
  --pgbench "${PGBENCH:-pgbench}" --psql "${PSQL:-psql}" \
  --quiet-wait "${QUIET_WAIT:-15}" --out "$OUT" "$@"
