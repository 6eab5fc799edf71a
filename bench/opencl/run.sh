#!/usr/bin/env bash
# CPU vs OpenCL benchmark (kernels and whole models); prints Markdown rows for bench/RESULTS.md.
# Build first:  ./mvnw -B -q package -DskipTests     Usage: bench/opencl/run.sh [--device N] [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
java=${PERCEIVER_JAVA_HOME:-${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)}}/bin/java
exec "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g \
  -cp target/perceiver.jar bench/opencl/OpenClBench.java "$@" 2> >(grep -v 'WARNING: Using incubator' >&2)
