package io.aiobridge.examples.parity;

import io.aiobridge.EventLoop;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * One ported program: prints to {@code out} what CPython printed for the original, running its
 * event loops from {@code loops} ({@code EventLoop::newEventLoop} from {@code main}; a virtual-time
 * loop in the tests, where a one-second sleep takes no time).
 */
@FunctionalInterface
public interface Port {
    void run(PrintStream out, Supplier<EventLoop> loops) throws Exception;
}
