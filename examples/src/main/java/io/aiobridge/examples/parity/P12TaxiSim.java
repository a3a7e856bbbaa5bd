package io.aiobridge.examples.parity;

import io.aiobridge.AsyncGenerator;
import io.aiobridge.EventLoop;
import io.aiobridge.StopAsyncIteration;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Parity 12: Fluent Python's taxi simulation, with async generators as the taxis. */
public final class P12TaxiSim {
    private P12TaxiSim() {}

    record Event(int time, int proc, String action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Integer.compare(time, o.time);
            if (c != 0) {
                return c;
            }
            c = Integer.compare(proc, o.proc);
            return c != 0 ? c : action.compareTo(o.action);
        }

        @Override
        public String toString() {
            return "Event(time=" + time + ", proc=" + proc + ", action='" + action + "')";
        }
    }

    static final Map<String, Integer> DURATIONS = Map.of("leave garage", 2,
            "pick up passenger", 5, "drop off passenger", 7, "going home", 1);

    static AsyncGenerator<Event, Integer> taxiProcess(int ident, int trips, int startTime) {
        return AsyncGenerator.of(y -> {
            int time = y.yield(new Event(startTime, ident, "leave garage"));
            for (int i = 0; i < trips; i++) {
                time = y.yield(new Event(time, ident, "pick up passenger"));
                time = y.yield(new Event(time, ident, "drop off passenger"));
            }
            y.yield(new Event(time, ident, "going home"));
        });
    }

    static void simulate(PrintStream out, int endTime) {
        Map<Integer, AsyncGenerator<Event, Integer>> procs = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            procs.put(i, taxiProcess(i, (i + 1) * 2, i * 3));
        }
        PriorityQueue<Event> events = new PriorityQueue<>();
        for (AsyncGenerator<Event, Integer> proc : procs.values()) {
            events.add(proc.asend(null).await());
        }
        int simTime = 0;
        boolean ranOut = false;
        while (simTime < endTime) {
            if (events.isEmpty()) {
                out.println("*** end of events ***");
                ranOut = true;
                break;
            }
            Event current = events.poll();
            simTime = current.time();
            int procId = current.proc();
            out.println("taxi: " + procId + " " + "   ".repeat(procId) + " " + current);
            AsyncGenerator<Event, Integer> active = procs.get(procId);
            int nextTime = simTime + DURATIONS.get(current.action()) + procId;
            try {
                events.add(active.asend(nextTime).await());
            } catch (StopAsyncIteration e) {
                procs.remove(procId);
            }
        }
        if (!ranOut) {
            out.println("*** end of simulation time: " + events.size() + " events pending ***");
        }
        for (AsyncGenerator<Event, Integer> proc : new ArrayList<>(procs.values())) {
            proc.aclose();
        }
    }

    public static void run(PrintStream out, Supplier<EventLoop> loops) {
        Py.run(loops, () -> {
            simulate(out, 1000);
            return null;
        });
        out.println("--- short run ---");
        Py.run(loops, () -> {
            simulate(out, 20);
            return null;
        });
    }

    public static void main(String[] args) {
        run(System.out, EventLoop::newEventLoop);
    }
}
