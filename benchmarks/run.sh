#!/usr/bin/env bash
# Measures aiobridge next to its peers (CPython asyncio, uvloop, kotlinx-coroutines, Reactor,
# RxJava) on the same workloads, in one run on this machine, and writes docs/benchmarks.md: each
# measurement, each peer, the ratio, and the issue's target met or missed. About 25 minutes.
#
#   benchmarks/run.sh            # full run; rewrites docs/benchmarks.md
#   QUICK=1 benchmarks/run.sh    # smoke: every benchmark once, briefly; writes
#                                # benchmarks/target/benchmarks-smoke.md (CI runs this)
#
# JMH failures fail the script (-foe true). uvloop comes from Debian's python3-uvloop: the
# script installs it when it can (root or sudo), and otherwise says so and leaves its column empty.
set -euo pipefail
cd "$(dirname "$0")/.."

jdk=$(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$jdk" ] && [ -x "$jdk/bin/java" ]; then
  export JAVA_HOME="$jdk"
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$java" -version 2>&1 | head -1

./mvnw -B -q -DskipTests package -pl benchmarks,benchmarks-http -am
jar=benchmarks/target/benchmarks.jar

out=benchmarks/target/run
# PARTS="jmh memory fanout close python echo http" (default: all) re-runs only those sections, keeping
# the rest of the last run's results for the report
parts=${PARTS:-jmh memory fanout close python echo http}
part() { [[ " $parts " == *" $1 "* ]]; }
if [ -z "${PARTS:-}" ]; then rm -rf "$out"; fi
mkdir -p "$out"
if [ "${QUICK:-0}" = 1 ]; then
  jmh_args=(-f 1 -wi 0 -i 1 -r 100ms)
  jmh_cfg="smoke: one 100 ms iteration"
  mem_sizes=(10000)
  fan_tasks=10000
  close_tasks=10000
  py_args=(--quick --close-tasks "$close_tasks")
  echo_args=(0.3 0.2)
  http_jit=1
  http_warm=1
  http_secs=1
  http_rounds=1
  report=benchmarks/target/benchmarks-smoke.md
else
  jmh_args=(-f 1 -wi 3 -w 1 -i 5 -r 1)
  jmh_cfg="3 warm-up and 5 measured 1 s iterations, 1 fork"
  mem_sizes=(100000 1000000)
  fan_tasks=10000
  close_tasks=1000000
  py_args=(--close-tasks "$close_tasks")
  echo_args=(5 2)
  http_jit=5
  http_warm=1
  http_secs=5
  http_rounds=2
  report=docs/benchmarks.md
fi

# The same CPython for both loops: Debian's, which python3-uvloop installs into.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
if ! "$py" -c 'import uvloop' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing python3-uvloop (apt-get)"
    apt-get install -y -q python3-uvloop >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q python3-uvloop >/dev/null; } || true
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get install -y -q python3-uvloop >/dev/null || true
  fi
  "$py" -c 'import uvloop' 2>/dev/null \
    || echo "uvloop is missing and could not be installed: run 'apt-get install -y python3-uvloop' as root; the uvloop column stays empty" >&2
fi

{
  echo "date=$(date -u +%Y-%m-%d)"
  echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1 | tr ' ' '_')"
  echo "cores=$(nproc)"
  echo "mem_gib=$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME" | tr ' ' '_')"
  echo "jdk=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
  echo "jmh_cfg=$(echo "$jmh_cfg" | tr ' ' '_')"
  for p in reactor rxjava kotlinx-coroutines kotlin; do
    echo "${p%-coroutines}=$(sed -n "s:.*<$p.version>\(.*\)</$p.version>.*:\1:p" pom.xml | head -1)"
  done
  echo "mem_sizes=$(IFS=,; echo "${mem_sizes[*]}")"
  echo "close_tasks=$close_tasks"
} > "$out/meta.txt"

all="SwitchBenchmark|CreateJoinBenchmark|SyncQueueBenchmark|GeneratorBenchmark|FlowBenchmark|ReactorBenchmark|RxJavaBenchmark|MonoAwaitBenchmark|GroupBenchmark"
show() { grep -E "^(Benchmark|[A-Za-z]+Benchmark\.)" || true; }

if part jmh; then
echo "== JMH, default engine, every benchmark and peer"
"$java" -jar "$jar" "$all" -foe true "${jmh_args[@]}" -rf json -rff "$out/jmh.json" | show

echo "== JMH, carrier engine, aiobridge's own benchmarks"
"$java" -jar "$jar" "$all" -e '\.(kotlinx|reactor|rx)[A-Z]' -foe true "${jmh_args[@]}" \
  -jvmArgsAppend "--add-opens java.base/java.lang=ALL-UNNAMED -Daiobridge.engine=carrier" \
  -rf json -rff "$out/jmh-carrier.json" | show
fi

if part memory; then
echo "== memory per suspended task"
for n in "${mem_sizes[@]}"; do
  for who in aiobridge kotlinx; do
    "$java" -Xmx8g -cp "$jar" io.aiobridge.bench.MemoryPerTask "$who" "$n" | tee "$out/mem-$who-$n.txt"
  done
done

fi
if part fanout; then
echo "== fan-out"
for who in aiobridge kotlinx; do
  "$java" -Xmx2g -cp "$jar" io.aiobridge.bench.FanOut "$who" "$fan_tasks" | tee "$out/fanout-$who.txt"
done

fi
if part close; then
echo "== closing a loop with $close_tasks suspended tasks (a fresh JVM, a warmed one, a fresh one compiling every handler)"
for jvm in cold warm; do
  "$java" -Xmx12g -cp "$jar" io.aiobridge.bench.CloseAtScale "$close_tasks" "$jvm" | tee "$out/close-$jvm.txt"
done
# the JIT compiles every exception handler, reached or not: no parked frame deoptimizes
"$java" -Xmx12g -XX:-ProfileExceptionHandlers -cp "$jar" io.aiobridge.bench.CloseAtScale \
  "$close_tasks" cold | tee "$out/close-handlers.txt"

fi
if part python; then
echo "== CPython asyncio and uvloop"
"$py" benchmarks/python/asyncio_bench.py "${py_args[@]}" "${mem_sizes[@]}" | tee "$out/py-asyncio.txt"
if "$py" -c 'import uvloop' 2>/dev/null; then
  "$py" benchmarks/python/asyncio_bench.py --loop uvloop "${py_args[@]}" "${mem_sizes[@]}" | tee "$out/py-uvloop.txt"
fi

fi
if part echo; then
echo "== TCP echo: aiobridge, CPython asyncio, uvloop and Netty servers, one load generator"
pin=()
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$java" -cp "$jar" io.aiobridge.bench.echo.EchoBench "$out" "$py" "${echo_args[@]}"

fi
if part http; then
echo "== HTTP: one WebFlux app (plain Reactor, aiobridge coroutines, Kotlin suspend) and FastAPI on uvicorn + uvloop, driven by wrk"
# wrk, FastAPI and uvicorn come from Debian; installed when we can (root or sudo)
need=()
command -v wrk >/dev/null || need+=(wrk)
"$py" -c 'import fastapi' 2>/dev/null || need+=(python3-fastapi)
"$py" -c 'import uvicorn' 2>/dev/null || need+=(uvicorn)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${need[*]} (apt-get)"
    apt-get install -y -q "${need[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; } || true
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get install -y -q "${need[@]}" >/dev/null || true
  fi
fi
server_pin=(); client_pin=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_pin=(taskset -c 1); client_pin=(taskset -c 0)
fi
wait_http() { # url: up to 60 s for the server to answer
  for _ in $(seq 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; return 1
}
warm_jit() { # port styles...: every endpoint in turn before anything is measured: on one core
  # the JIT competes with the server, and the first style measured must not pay for it
  local port=$1; shift
  for _ in 1; do
    for style in "$@"; do
      for ep in hello quote; do
        "${client_pin[@]}" wrk -t1 -c64 -d"${http_jit}s" "http://127.0.0.1:$port/$style/$ep" >/dev/null
      done
    done
  done
}
measure() { # style port label endpoint connections: one cell, after a warm-up run
  local url="http://127.0.0.1:$2/$1/$4"
  "${client_pin[@]}" wrk -t1 -c"$5" -d"${http_warm}s" "$url" >/dev/null
  "${client_pin[@]}" wrk -t1 -c"$5" -d"${http_secs}s" --latency "$url" > "$out/http-$3-$4-$5.wrk"
  echo "$3 $4 c=$5: $(grep -E 'Requests/sec' "$out/http-$3-$4-$5.wrk")"
}
drive() { # style port [label]: every cell of one style; the label names the result files
  for ep in hello quote; do
    for c in 64 256; do measure "$1" "$2" "${3:-$1}" "$ep" "$c"; done
  done
}
drive_interleaved() { # port round styles...: each cell for every style back to back, so that
  # the ratios compare runs seconds apart, not minutes (this VM's speed drifts within minutes);
  # the order of the styles rotates with the round, so none is always measured first
  local port=$1 round=$2; shift 2
  local styles=("$@") n=$#
  for ep in hello quote; do
    for c in 64 256; do
      for i in $(seq 0 $((n - 1))); do
        style=${styles[$(((i + round) % n))]}
        measure "$style" "$port" "$style" "$ep" "$c"
      done
    done
  done
}
if command -v wrk >/dev/null; then
  # the JVM opens java.lang, as bridge-spring's docs advise for WebFlux: the coroutines' loops then
  # run on Reactor Netty's event loops (aiobridge.netty-carriers); Reactor and Kotlin do not care
  "${server_pin[@]}" "$java" --sun-misc-unsafe-memory-access=allow \
    --add-opens java.base/java.lang=ALL-UNNAMED -jar benchmarks-http/target/http-bench.jar \
    --server.port=18080 > "$out/http-server.log" 2>&1 &
  spring=$!
  if wait_http http://127.0.0.1:18080/reactor/hello; then
    warm_jit 18080 reactor aio kotlin
    # the whole matrix twice; the second round is the one reported: a warm-up of a few seconds
    # per endpoint left the first style measured JIT-bound (plain Reactor at half its rate)
    for round in $(seq "$http_rounds"); do drive_interleaved 18080 "$round" reactor aio kotlin; done
  fi
  kill "$spring"; wait "$spring" 2>/dev/null || true
  # the coroutine again where the JVM keeps java.lang closed (no flag): loops on threads of their own
  "${server_pin[@]}" "$java" --sun-misc-unsafe-memory-access=allow -jar benchmarks-http/target/http-bench.jar \
    --server.port=18082 > "$out/http-server-closed.log" 2>&1 &
  spring=$!
  if wait_http http://127.0.0.1:18082/aio/hello; then
    warm_jit 18082 aio aio
    for round in $(seq "$http_rounds"); do drive aio 18082 aioclosed; done
  fi
  kill "$spring"; wait "$spring" 2>/dev/null || true
  if "$py" -c 'import fastapi, uvicorn, uvloop' 2>/dev/null; then
    (cd benchmarks/python && exec "${server_pin[@]}" "$py" -m uvicorn http_app:app --loop uvloop \
      --port 18081 --log-level warning) > "$out/http-fastapi.log" 2>&1 &
    fast=$!
    if wait_http http://127.0.0.1:18081/fastapi/hello; then
      warm_jit 18081 fastapi
      drive fastapi 18081 # one round: CPython has no JIT to warm
    fi
    kill "$fast"; wait "$fast" 2>/dev/null || true
  else
    echo "FastAPI, uvicorn or uvloop is missing: its column stays empty" >&2
  fi
else
  echo "wrk is missing and could not be installed: run 'apt-get install -y wrk' as root; the HTTP section stays empty" >&2
fi

fi

echo "== report: $report"
"$py" benchmarks/report.py "$out" "$report" >/dev/null
cat "$report"
