package io.aiobridge;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.List;
import java.util.stream.Collectors;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.L_Result;

/**
 * {@link LiveTasks#tryOldestFirst}: {@code Aio.allTasks(loop)} read from a thread other than the
 * loop's while the loop's holder starts and ends tasks. The reader retries until a read is
 * validated; what it returns must be one of the states the holder left the list in, oldest
 * first, never a walk that crossed a change (a task missing that was never removed, or one that
 * was removed before a task added after it).
 */
public final class LiveTasksStress {
    private LiveTasksStress() {}

    /** A list of its own holding tasks A, B, C (added in that order), and D not yet added. */
    abstract static class Tasks {
        final LiveTasks live = new LiveTasks();
        final Task<?> a;
        final Task<?> b;
        final Task<?> c;
        final Task<?> d;

        Tasks() {
            // tasks of an idle loop that never runs; moved from its list to this one
            BaseEventLoop loop = (BaseEventLoop) EventLoop.newEventLoop();
            a = task(loop, "A");
            b = task(loop, "B");
            c = task(loop, "C");
            d = task(loop, "D");
            live.add(a);
            live.add(b);
            live.add(c);
        }

        private static Task<?> task(BaseEventLoop loop, String name) {
            Task<?> t = loop.createTask(() -> null, name);
            loop.taskDone(t);
            return t;
        }

        /** The reader: retries until a read is validated (the writer's changes are few). */
        String read() {
            List<Task<?>> read;
            while ((read = live.tryOldestFirst()) == null) {
                Thread.onSpinWait();
            }
            return read.stream().map(Task::getName).collect(Collectors.joining("-"));
        }
    }

    @JCStressTest
    @Outcome(id = "A-B-C", expect = ACCEPTABLE, desc = "read before the changes")
    @Outcome(id = "A-C", expect = ACCEPTABLE, desc = "read after B ended")
    @Outcome(id = "A-C-D", expect = ACCEPTABLE, desc = "read after D started")
    @Outcome(expect = FORBIDDEN, desc = "a read across a change")
    @State
    public static class EndTheMiddleThenStart extends Tasks {
        @Actor
        public void holder() {
            live.remove(b);
            live.add(d);
        }

        @Actor
        public void reader(L_Result r) {
            r.r1 = read();
        }
    }

    @JCStressTest
    @Outcome(id = "A-B-C", expect = ACCEPTABLE, desc = "read before the changes")
    @Outcome(id = "A-B", expect = ACCEPTABLE, desc = "read after the newest ended")
    @Outcome(id = "B", expect = ACCEPTABLE, desc = "read after the oldest ended")
    @Outcome(id = "B-D", expect = ACCEPTABLE, desc = "read after D started")
    @Outcome(expect = FORBIDDEN, desc = "a read across a change")
    @State
    public static class EndBothEndsThenStart extends Tasks {
        @Actor
        public void holder() {
            live.remove(c);
            live.remove(a);
            live.add(d);
        }

        @Actor
        public void reader(L_Result r) {
            r.r1 = read();
        }
    }
}
