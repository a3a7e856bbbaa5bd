#!/usr/bin/env bash
# Runs the core benchmarks and their CPython asyncio counterparts in one go, and prints the
# figures side by side with ratios. Takes about 3 minutes. Not part of CI (timing on shared
# 2-core machines is for people to read, not for builds to assert).
#
#   benchmarks/run.sh            # full run
#   QUICK=1 benchmarks/run.sh    # one short iteration each: checks that everything runs
set -euo pipefail
cd "$(dirname "$0")/.."

jdk=$(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$jdk" ] && [ -x "$jdk/bin/java" ]; then
  export JAVA_HOME="$jdk"
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$java" -version 2>&1 | head -1

./mvnw -B -q -DskipTests package -pl benchmarks -am

out=$(mktemp -d)
if [ "${QUICK:-0}" = 1 ]; then
  jmh_args=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
  mem_n=10000
else
  jmh_args=()
  mem_n=100000
fi
"$java" -jar benchmarks/target/benchmarks.jar SwitchBenchmark -foe true "${jmh_args[@]}" \
  -rf json -rff "$out/jmh.json" | tail -n 8
"$java" -Xmx2g -cp benchmarks/target/benchmarks.jar io.aiobridge.bench.MemoryPerTask "$mem_n" \
  | tee "$out/mem.txt"

if command -v python3 >/dev/null; then
  python3 benchmarks/python/asyncio_bench.py "$mem_n" | tee "$out/py.txt"
else
  echo "python3 not found: install it (apt-get install -y python3) for the CPython column" >&2
  : > "$out/py.txt"
fi

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
jmh = {}
for r in json.load(open(os.path.join(out, "jmh.json"))):
    name = r["benchmark"].rsplit(".", 1)[1]
    tasks = r["params"]["tasks"]
    jmh[(name, tasks)] = r["primaryMetric"]["score"]
py = dict(l.strip().split("=", 1) for l in open(os.path.join(out, "py.txt")) if "=" in l)
mem = dict(kv.split("=") for kv in open(os.path.join(out, "mem.txt")).read().split())
rows = [
    ("sleep(0) round trip, 1 task (ns)", jmh.get(("sleepZeroRoundTrip", "1")), py.get("sleep0_1task_ns")),
    ("sleep(0) round trip, 1,000 tasks (ns)", jmh.get(("sleepZeroRoundTrip", "1000")), py.get("sleep0_1000tasks_ns")),
    ("create + run + join (ns)", jmh.get(("createRunJoin", "1")), py.get("create_join_ns")),
    (f"heap per suspended task, {mem['tasks']} tasks (bytes)", float(mem["bytes_per_task"]), py.get("bytes_per_task")),
]
print()
print(f"| measurement | aiobridge | CPython {py.get('python', '?')} asyncio | CPython / aiobridge |")
print("|---|---|---|---|")
for name, a, p in rows:
    p = float(p) if p else None
    ratio = f"{p / a:.1f}x" if a and p else "n/a"
    print(f"| {name} | {a:,.0f} | {p:,.0f} | {ratio} |" if p else f"| {name} | {a:,.0f} | n/a | n/a |")
PY
