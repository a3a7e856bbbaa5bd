package io.aiobridge.examples.parity;

import io.aiobridge.EventLoop;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every ported program, by the name of its CPython original in the parity corpus. {@code main}
 * runs them all (or those whose names contain an argument) on the real clock, each under a
 * header.
 */
public final class ParityPrograms {
    private ParityPrograms() {}

    /** Program name to port, in corpus order. */
    public static final Map<String, Port> ALL = programs();

    private static Map<String, Port> programs() {
        Map<String, Port> m = new LinkedHashMap<>();
        m.put("01_say_after_sequential", P01SayAfterSequential::run);
        m.put("02_say_after_concurrent", P02SayAfterConcurrent::run);
        m.put("03_nested_coroutine", P03NestedCoroutine::run);
        m.put("04_gather_factorial", P04GatherFactorial::run);
        m.put("05_wait_modes", P05WaitModes::run);
        m.put("06_as_completed", P06AsCompleted::run);
        m.put("07_wait_for_timeout", P07WaitForTimeout::run);
        m.put("08_ticker_aiter", P08TickerAiter::run);
        m.put("09_async_context_manager", P09AsyncContextManager::run);
        m.put("10_async_gen_delegation", P10AsyncGenDelegation::run);
        m.put("11_averager_asend", P11AveragerAsend::run);
        m.put("12_taxi_sim", P12TaxiSim::run);
        m.put("13_call_soon_fifo", P13CallSoonFifo::run);
        m.put("14_call_later_call_at", P14CallLaterCallAt::run);
        m.put("15_loop_stop", P15LoopStop::run);
        m.put("16_run_coroutine_threadsafe", P16RunCoroutineThreadsafe::run);
        m.put("17_executor_to_thread", P17ExecutorToThread::run);
        m.put("18_producer_consumer", P18ProducerConsumer::run);
        m.put("19_taskgroup_basic", P19TaskGroupBasic::run);
        m.put("54_streams_echo", P54StreamsEcho::run);
        m.put("56_subprocess", P56Subprocess::run);
        return Collections.unmodifiableMap(m);
    }

    public static void main(String[] args) throws Exception {
        for (Map.Entry<String, Port> e : ALL.entrySet()) {
            if (args.length > 0 && Arrays.stream(args).noneMatch(e.getKey()::contains)) {
                continue;
            }
            System.out.println("== " + e.getKey());
            e.getValue().run(System.out, EventLoop::newEventLoop);
        }
    }
}
