# Sourced by the kernel benchmark scripts (run from the project root): sets JAVA (a JDK 21+ java, unless already
# set: the newest under /usr/lib/jvm, else java on the PATH) and CP (target/classes plus the `bench` profile's
# class path, JMH included), compiling the `bench` profile first. $1: where to write the class path list.
if [[ -z "${JAVA:-}" ]]; then
  JAVA=$(ls -d /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*2[1-9]*/bin/java 2>/dev/null | head -1 || true)
  JAVA=${JAVA:-java}
fi
mkdir -p "$(dirname "$1")"
./mvnw -B -q -Pbench compile dependency:build-classpath -Dmdep.outputFile="$1" >/dev/null
CP="target/classes:$(cat "$1")"
