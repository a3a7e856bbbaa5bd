#!/usr/bin/env bash
# Builds the user project against the installed aiobridge libraries and runs it twice: on the
# class path and on the module path. Called by .ci/run after `./mvnw install -DskipTests`.
set -euo pipefail
cd "$(dirname "$0")"
mvnw=../../mvnw
"$mvnw" -q -f pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
jdk=$(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*2[1-9]* 2>/dev/null | sort -V | tail -n 1 || true)
java="${jdk:+$jdk/bin/}java"
cp="target/classes:$(cat target/cp.txt)"
"$java" -cp "$cp" example.Main
"$java" --module-path "$cp" -m example.user/example.Main
