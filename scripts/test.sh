#!/usr/bin/env bash
# The project's test command (CI runs it; the README shows it): compiles every module, runs the
# unit, store, protocol and server tests against embedded PostgreSQL, and builds the server's fat
# jar (tributary-server/target/tributary.jar). Extra arguments go to Maven, e.g. -pl tributary-server.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# the build needs Java 25; the machine's default java may be older
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
exec ./mvnw -B verify "$@"
