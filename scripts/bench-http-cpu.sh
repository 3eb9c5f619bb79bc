#!/usr/bin/env bash
# Where an HTTP append's CPU goes: starts the built Tributary jar (embedded PostgreSQL, fsync=on,
# a temporary data directory, a free loopback port), drives it with the bench-http generator
# (scripts/bench-http.mjs append) and, inside the generator's measured window, reads the CPU time
# of the server JVM, of every PostgreSQL process and of the generator from /proc/<pid>/stat, the
# appended frames and the write transactions (next transaction id). Prints one JSON line per run:
# appends/s, microseconds of CPU per append of each process, appends per transaction.
# Everything it starts it stops (trap EXIT). Wrap it in `flock /work/wt/bench.lock`.
#
#   scripts/bench-http-cpu.sh                     # c=16 one stream, 8 s measured, after a 15 s warm-up
#   C=16 S=16 SECS=8 scripts/bench-http-cpu.sh    # c=16 on 16 streams
#   JFR=/tmp/x.jfr scripts/bench-http-cpu.sh      # and a JFR recording (settings=profile) of the measured window
#
# Environment: C (concurrency, 16), S (streams, 1), SECS (measured seconds, 8), WARMUP (seconds of
# unmeasured load first, 15), RUNS (measured runs on the same server, 1), JAVA_OPTS (server JVM
# options), JFR (a file: record the measured window), JAR (default the built tributary.jar),
# KEEP_WORK=1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
C=${C:-16}; S=${S:-1}; SECS=${SECS:-8}; WARMUP=${WARMUP:-15}; RUNS=${RUNS:-1}
JAR=${JAR:-tributary-server/target/tributary.jar}
GEN="$ROOT/scripts/bench-http.mjs"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tributary-bench-cpu.XXXXXX")
TB_PID=; GEN_PID=
stop() { # the server (with its PostgreSQL) and a generator still running
  for pid in $GEN_PID $TB_PID; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [ "${KEEP_WORK:-0}" = 1 ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap stop EXIT
trap 'exit 130' INT TERM
cp "$JAR" "$WORK/tributary.jar"
"$JAVA" ${JAVA_OPTS:-} -jar "$WORK/tributary.jar" serve --port 0 --data-dir "$WORK/pg" \
  >"$WORK/tributary.out" 2>"$WORK/tributary.err" &
TB_PID=$!
TB=
for _ in $(seq 1 240); do
  TB=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/tributary.out" 2>/dev/null | head -1 || true)
  [ -n "$TB" ] && break
  kill -0 "$TB_PID" 2>/dev/null || { tail -n 30 "$WORK/tributary.err" >&2; exit 1; }
  sleep 0.5
done
[ -n "$TB" ] || { echo "server did not start" >&2; exit 1; }
PG_PID=$(sed -n 1p "$WORK/pg/postmaster.pid"); PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
TB_DB=$(grep -o 'jdbc:postgresql://[^, ]*' "$WORK/tributary.err" | head -1 | sed 's|.*/||; s|?.*||')
sql() { psql -qAt -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${TB_DB:-tributary}" -c "$1"; }
# utime+stime ticks of a process and its live threads
ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { local t=0 p; for p in $PG_PID $(pgrep -P "$PG_PID"); do t=$((t + $(ticks "$p"))); done; echo $t; }
snapshot() { # frames xid java pg gen
  echo "$(sql 'SELECT count(*) FROM tb_frame') $(sql 'SELECT pg_snapshot_xmax(pg_current_snapshot())') $(ticks "$TB_PID") $(pg_ticks) $(ticks "$1")"
}
# per thread of the server JVM and per PostgreSQL process: "name utime stime" (digits of names dropped)
threads() {
  local t
  for t in /proc/$TB_PID/task/*/stat; do
    sed 's/^[0-9]* (\(.*\)) [A-Z] /\1\t/' "$t" 2>/dev/null | awk -F'\t' '{split($2, f, " "); n = $1; gsub(/[0-9]+/, "N", n); print "java:" n "\t" f[11] "\t" f[12]}'
  done
  for t in $PG_PID $(pgrep -P "$PG_PID"); do
    awk -v n="postgres:$(tr '\0' ' ' <"/proc/$t/cmdline" 2>/dev/null | sed 's/postgres: //; s/ [0-9.()]* .*//; s/ *$//' | cut -c1-30)" '{print n "\t" $14 "\t" $15}' "/proc/$t/stat" 2>/dev/null
  done
}
[ "$WARMUP" -gt 0 ] && node "$GEN" append warmup "$TB" --seconds "$WARMUP" --concurrency "$C" --streams "$S" >/dev/null
HZ=$(getconf CLK_TCK)
for run in $(seq 1 "$RUNS"); do
  node "$GEN" append tributary "$TB" --seconds $((SECS + 8)) --concurrency "$C" --streams "$S" >"$WORK/gen.json" &
  GEN_PID=$!
  [ -n "${JFR:-}" ] && "$JAVA_HOME/bin/jcmd" "$TB_PID" JFR.start name=cpu settings=profile filename="$JFR" >/dev/null
  sleep 2   # the generator's 1 s warm-up and its streams' creation
  read -r f0 x0 j0 p0 g0 < <(snapshot "$GEN_PID")
  threads >"$WORK/threads0"
  t0=$(date +%s.%N)
  sleep "$SECS"
  read -r f1 x1 j1 p1 g1 < <(snapshot "$GEN_PID")
  threads >"$WORK/threads1"
  t1=$(date +%s.%N)
  [ -n "${JFR:-}" ] && "$JAVA_HOME/bin/jcmd" "$TB_PID" JFR.stop name=cpu >/dev/null
  wait "$GEN_PID"; GEN_PID=
  awk -v f="$((f1 - f0))" -v x="$((x1 - x0))" -v j="$((j1 - j0))" -v p="$((p1 - p0))" -v g="$((g1 - g0))" \
      -v hz="$HZ" -v t="$(echo "$t1 - $t0" | bc)" -v c="$C" -v s="$S" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
      -v gen="$(cat "$WORK/gen.json")" 'BEGIN {
    us = 1e6 / hz / f
    printf "{\"concurrency\":%d,\"streams\":%d,\"appends_per_s\":%d,\"appends_per_tx\":%.2f,\"cpu_us_per_append\":{\"java\":%.0f,\"postgres\":%.0f,\"generator\":%.0f,\"sum\":%.0f},\"cores_busy\":%.2f,\"load\":\"%s\",\"generator\":%s}\n",
      c, s, f / t, f / x, j * us, p * us, g * us, (j + p + g) * us, (j + p + g) / hz / t, load, gen }'
  # CPU per append by thread group, user + system (µs), to stderr
  awk -F'\t' -v f="$((f1 - f0))" -v hz="$HZ" 'NR == FNR {u[$1] -= $2; s[$1] -= $3; next} {u[$1] += $2; s[$1] += $3}
    END {for (k in u) if (u[k] + s[k] > 0) printf "%7.1f us/append  user %6.1f  sys %6.1f  %s\n", (u[k] + s[k]) * 1e6 / hz / f, u[k] * 1e6 / hz / f, s[k] * 1e6 / hz / f, k}' \
    "$WORK/threads0" "$WORK/threads1" | sort -rn >&2
done
