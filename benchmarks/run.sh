#!/usr/bin/env bash
# Runs the core benchmarks (both switching engines, see docs/engine.md) and their CPython asyncio counterparts in one go, and prints the
# figures side by side with ratios. Takes about 10 minutes. Not part of CI (timing on shared
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
# default engine (public JDK API only), then the opt-in carrier engine (see docs/engine.md)
"$java" -jar benchmarks/target/benchmarks.jar "SwitchBenchmark|CreateJoinBenchmark|SyncQueueBenchmark|GeneratorBenchmark|FlowBenchmark|ReactorBenchmark|RxJavaBenchmark" -foe true "${jmh_args[@]}" \
  -rf json -rff "$out/jmh.json" | grep -E '^(Benchmark|SwitchBenchmark|CreateJoinBenchmark|SyncQueueBenchmark|GeneratorBenchmark|FlowBenchmark|ReactorBenchmark|RxJavaBenchmark)'
carrier=(--add-opens java.base/java.lang=ALL-UNNAMED -Daiobridge.engine=carrier)
"$java" -jar benchmarks/target/benchmarks.jar "SwitchBenchmark|CreateJoinBenchmark|SyncQueueBenchmark|GeneratorBenchmark|FlowBenchmark|ReactorBenchmark|RxJavaBenchmark" -foe true "${jmh_args[@]}" \
  -jvmArgsAppend "${carrier[*]}" -rf json -rff "$out/jmh-carrier.json" | grep -E '^(Benchmark|SwitchBenchmark|CreateJoinBenchmark|SyncQueueBenchmark|GeneratorBenchmark|FlowBenchmark|ReactorBenchmark|RxJavaBenchmark)'
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
def load(name):
    res = {}
    for r in json.load(open(os.path.join(out, name))):
        res[(r["benchmark"].rsplit(".", 1)[1], r.get("params", {}).get("tasks", "-"))] = r["primaryMetric"]["score"]
    return res
jmh, car = load("jmh.json"), load("jmh-carrier.json")
py = dict(l.strip().split("=", 1) for l in open(os.path.join(out, "py.txt")) if "=" in l)
mem = dict(kv.split("=") for kv in open(os.path.join(out, "mem.txt")).read().split())
rows = [
    ("sleep(0) round trip, 1 task (ns)", ("sleepZeroRoundTrip", "1"), "sleep0_1task_ns"),
    ("sleep(0) round trip, 1,000 tasks (ns)", ("sleepZeroRoundTrip", "1000"), "sleep0_1000tasks_ns"),
    ("create + run + join (ns)", ("createRunJoin", "-"), "create_join_ns"),
    ("uncontended Lock acquire + release (ns)", ("lockAcquireRelease", "-"), "lock_ns"),
    ("Queue putNowait + getNowait (ns)", ("queuePutGetNowait", "-"), "queue_ns"),
    ("generator item via for-each, unbatched (ns)", ("unbatched", "-"), "gen_ns"),
    ("generator item via for-each, prefetch(256) (ns)", ("batched", "-"), "gen_ns"),
]
def fmt(v):
    return f"{v:,.0f}" if v is not None else "n/a"
def ratio(p, a):
    return f"{p / a:.1f}x" if a and p else "n/a"
print()
print(f"| measurement | aiobridge default engine | aiobridge carrier engine | CPython {py.get('python', '?')} asyncio | CPython / default | CPython / carrier |")
print("|---|---|---|---|---|---|")
for name, key, pykey in rows:
    a, c = jmh.get(key), car.get(key)
    p = float(py[pykey]) if pykey in py else None
    print(f"| {name} | {fmt(a)} | {fmt(c)} | {fmt(p)} | {ratio(p, a)} | {ratio(p, c)} |")
m = float(mem["bytes_per_task"])
p = float(py["bytes_per_task"]) if "bytes_per_task" in py else None
print(f"| heap per suspended task, {mem['tasks']} tasks (bytes) | {fmt(m)} | (same) | {fmt(p)} | {ratio(p, m)} | |")

flow = [
    ("generator -> Publisher -> subscriber, unbounded", "generatorPublisherUnbounded", "reactorFluxGenerateUnbounded", "Flux.generate"),
    ("generator -> Publisher -> subscriber, request(256)", "generatorPublisherRequest256", "reactorFluxGenerateRequest256", "Flux.generate"),
    ("Flux.range -> async iterator (prefetch 256)", "fluxRangeToAsyncIterator", "reactorFluxRangeToIterable", "Flux.range.toIterable()"),
]
print()
print("| flow bridge (ns/item; M items/s) | aiobridge default | aiobridge carrier | Reactor, same run | peer |")
print("|---|---|---|---|---|")
for name, ours, theirs, peer in flow:
    a, c, r = jmh.get((ours, "-")), car.get((ours, "-")), jmh.get((theirs, "-"))
    cell = lambda v: f"{v:.1f} ns ({1000 / v:.0f}M/s)" if v else "n/a"
    print(f"| {name} | {cell(a)} | {cell(c)} | {cell(r)} | {peer} |")

reactor = [
    ("Flux.range iterated in a task (ReactorPublish.iterate)", "iterateFluxRangeInTask",
     [("reactorFluxRangeToIterable", "toIterable()"), ("reactorFluxRangeBlockLast", "blockLast()")]),
    ("generator as Flux, blockLast() (ReactorPublish.flux)", "generatorFluxBlockLast",
     [("reactorFluxGenerateBlockLast", "Flux.generate"), ("reactorFluxCreateBlockLast", "Flux.create")]),
]
reactor += [
    ("Flowable.range iterated in a task (RxPublish.iterate)", "iterateFlowableRangeInTask",
     [("rxFlowableRangeBlockingIterable", "blockingIterable()"), ("rxFlowableRangeBlockingLast", "blockingLast()")]),
    ("generator as Flowable, blockingLast() (RxPublish.flowable)", "generatorFlowableBlockingLast",
     [("rxFlowableGenerateBlockingLast", "Flowable.generate"), ("rxFlowableCreateBlockingLast", "Flowable.create")]),
]
print()
print("| bridge-reactor / bridge-rxjava (ns/item; M items/s) | aiobridge default | aiobridge carrier | plain Reactor / RxJava, same run |")
print("|---|---|---|---|")
for name, ours, peers in reactor:
    a, c = jmh.get((ours, "-")), car.get((ours, "-"))
    cell = lambda v: f"{v:.1f} ns ({1000 / v:.0f}M/s)" if v else "n/a"
    ps = "; ".join(f"{label} {cell(jmh.get((key, '-')))}" for key, label in peers)
    print(f"| {name} | {cell(a)} | {cell(c)} | {ps} |")
PY
