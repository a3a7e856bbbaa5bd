"""CPython counterparts of the JMH benchmarks, on asyncio's own loop or on uvloop.

Prints one line per measurement: name=value, where value is ns per operation or bytes per task.
Same workloads as the JMH benchmarks: 100,000 sleep(0) round trips spread over 1 or 1,000 tasks,
10,000 sequential create+await of a trivial task, N tasks parked on one future (for each N
given), 100,000 uncontended Lock acquire+release, 100,000 Queue put_nowait+get_nowait(+task_done),
`async for` over an async generator of 100,000 integers, the fan-out workload of FanOut.java,
and (with --close-tasks N) cancelling and gathering N suspended tasks, as CloseAtScale.java.

    python3 asyncio_bench.py [--loop asyncio|uvloop] [--quick] [--close-tasks N] [N ...]

uvloop comes from Debian's python3-uvloop (benchmarks/run.sh installs it when it can).
"""
import argparse
import asyncio
import concurrent.futures
import gc
import statistics
import sys
import time
import tracemalloc

LOOP_FACTORY = None  # None: asyncio's default loop

ROUND_TRIPS = 100_000
JOINS = 10_000
SYNC_OPS = 100_000


async def round_trips(tasks):
    per_task = ROUND_TRIPS // tasks

    async def worker():
        for _ in range(per_task):
            await asyncio.sleep(0)
        return per_task

    ts = [asyncio.create_task(worker()) for _ in range(tasks)]
    return sum([await t for t in ts])


async def create_join():
    async def child(v):
        return v

    s = 0
    for i in range(JOINS):
        s += await asyncio.create_task(child(i))
    return s


async def lock_acquire_release():
    lock = asyncio.Lock()
    n = 0
    for _ in range(SYNC_OPS):
        await lock.acquire()
        n += 1
        lock.release()
    return n


async def queue_put_get_nowait():
    q = asyncio.Queue()
    s = 0
    for i in range(SYNC_OPS):
        q.put_nowait(i)
        s += q.get_nowait()
        q.task_done()
    return s


GEN_ITEMS = 100_000


async def numbers():
    for i in range(GEN_ITEMS):
        yield i


async def async_for_generator():
    s = 0
    async for v in numbers():
        s += v
    return s


def run(coro):
    with asyncio.Runner(loop_factory=LOOP_FACTORY) as runner:
        return runner.run(coro)


REPEATS = 7


def best_of(fn, ops, repeats=None):
    best = float("inf")
    for _ in range(repeats or REPEATS):
        t0 = time.perf_counter_ns()
        run(fn())
        best = min(best, (time.perf_counter_ns() - t0) / ops)
    return best


FANOUT_TASKS = 10_000
FANOUT_TIMER = 0.010


async def fan_out(pool, measure):
    """FanOut.java: each task waits on a 10 ms timer, then on a value another thread produces."""
    loop = asyncio.get_running_loop()

    async def one(i):
        await asyncio.sleep(FANOUT_TIMER)
        return await loop.run_in_executor(pool, int, i)

    if measure:
        gc.collect()
        tracemalloc.start()
    ts = [asyncio.create_task(one(i)) for i in range(FANOUT_TASKS)]
    grown = 0
    if measure:
        await asyncio.sleep(0)  # every task now waits on its timer
        gc.collect()
        grown, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    total = sum(await asyncio.gather(*ts))
    assert total == FANOUT_TASKS * (FANOUT_TASKS - 1) // 2, total
    return grown


def fan_out_figures(warmups, runs):
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        for _ in range(warmups):
            run(fan_out(pool, False))
        walls = []
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            run(fan_out(pool, False))
            walls.append((time.perf_counter_ns() - t0) / 1e6)
        live = run(fan_out(pool, True))
    return statistics.median(walls), live


def memory_per_task(n):
    async def main():
        gate = asyncio.get_running_loop().create_future()

        async def waiter():
            await gate

        gc.collect()
        tracemalloc.start()
        ts = [asyncio.create_task(waiter()) for _ in range(n)]
        await asyncio.sleep(0)
        gc.collect()
        used, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        gate.set_result(None)
        await asyncio.gather(*ts)
        return used / n

    return run(main())


def cancel_gather(n):
    """asyncio.run's shutdown with n suspended tasks: cancel each, then gather them all."""
    async def main():
        loop = asyncio.get_running_loop()
        finallies = 0

        async def waiter(never):
            nonlocal finallies
            try:
                await never
            finally:
                finallies += 1

        ts = [asyncio.create_task(waiter(loop.create_future())) for _ in range(n)]
        await asyncio.sleep(0)
        t0 = time.perf_counter()
        for t in ts:
            t.cancel()
        await asyncio.gather(*ts, return_exceptions=True)
        took = time.perf_counter() - t0
        if finallies != n or not all(t.cancelled() for t in ts):
            raise RuntimeError(f"only {finallies} of {n} tasks finished cancelled")
        return took

    return run(main())


def main():
    global LOOP_FACTORY, REPEATS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    ap.add_argument("--quick", action="store_true", help="one repetition each: checks that all runs")
    ap.add_argument("--close-tasks", type=int, default=0,
                    help="also time cancelling and gathering this many suspended tasks")
    ap.add_argument("tasks", nargs="*", type=int, default=[100_000],
                    help="task counts for the memory measurement")
    args = ap.parse_args()
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            sys.exit("uvloop is not installed: apt-get install -y python3-uvloop")
        LOOP_FACTORY = uvloop.new_event_loop
        print(f"uvloop={uvloop.__version__}")
    if args.quick:
        REPEATS = 1
    print(f"python={sys.version.split()[0]}")
    print(f"loop={args.loop}")
    print(f"sleep0_1task_ns={best_of(lambda: round_trips(1), ROUND_TRIPS):.1f}")
    print(f"sleep0_1000tasks_ns={best_of(lambda: round_trips(1000), ROUND_TRIPS):.1f}")
    print(f"create_join_ns={best_of(create_join, JOINS):.1f}")
    print(f"lock_ns={best_of(lock_acquire_release, SYNC_OPS):.1f}")
    print(f"queue_ns={best_of(queue_put_get_nowait, SYNC_OPS):.1f}")
    print(f"gen_ns={best_of(async_for_generator, GEN_ITEMS):.1f}")
    for n in args.tasks:
        print(f"bytes_per_task_{n}={memory_per_task(n):.0f}")
    wall, live = fan_out_figures(1 if args.quick else 3, 1 if args.quick else 7)
    print(f"fanout_wall_ms={wall:.1f}")
    print(f"fanout_live_bytes={live}")
    if args.close_tasks:
        print(f"cancel_gather_s_{args.close_tasks}={cancel_gather(args.close_tasks):.2f}")


if __name__ == "__main__":
    main()
