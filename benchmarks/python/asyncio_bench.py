"""CPython asyncio counterparts of SwitchBenchmark and MemoryPerTask.

Prints one line per measurement: name=value, where value is ns per operation or bytes per task.
Same workloads as the JMH benchmarks: 100,000 sleep(0) round trips spread over 1 or 1,000 tasks,
10,000 sequential create+await of a trivial task, 100,000 tasks parked on one future, 100,000
uncontended Lock acquire+release, 100,000 Queue put_nowait+get_nowait(+task_done), and
`async for` over an async generator of 100,000 integers.
"""
import asyncio
import gc
import sys
import time
import tracemalloc

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


def best_of(fn, ops, repeats=7):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        asyncio.run(fn())
        best = min(best, (time.perf_counter_ns() - t0) / ops)
    return best


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

    return asyncio.run(main())


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"python={sys.version.split()[0]}")
    print(f"sleep0_1task_ns={best_of(lambda: round_trips(1), ROUND_TRIPS):.1f}")
    print(f"sleep0_1000tasks_ns={best_of(lambda: round_trips(1000), ROUND_TRIPS):.1f}")
    print(f"create_join_ns={best_of(create_join, JOINS):.1f}")
    print(f"lock_ns={best_of(lock_acquire_release, SYNC_OPS):.1f}")
    print(f"queue_ns={best_of(queue_put_get_nowait, SYNC_OPS):.1f}")
    print(f"gen_ns={best_of(async_for_generator, GEN_ITEMS):.1f}")
    print(f"bytes_per_task={memory_per_task(n):.0f}")


if __name__ == "__main__":
    main()
