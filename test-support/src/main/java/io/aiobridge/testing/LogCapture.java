package io.aiobridge.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what the runtime logs through System.Logger (backed by java.util.logging by default)
 * on one logger ({@code io.aiobridge.EventLoop} unless named), for the duration of a
 * try-with-resources block.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    /** What was logged, in order. */
    public final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger jul;

    /** Starts capturing the loop's logger; it stops printing until {@link #close()}. */
    public LogCapture() {
        this("io.aiobridge.EventLoop");
    }

    /**
     * Starts capturing {@code logger}; it stops printing until {@link #close()}.
     *
     * @param logger the logger's name, e.g. {@code io.aiobridge.EventLoopGroup}
     */
    public LogCapture(String logger) {
        jul = Logger.getLogger(logger);
        jul.addHandler(this);
        jul.setUseParentHandlers(false);
    }

    /**
     * The messages logged so far.
     *
     * @return the messages, in order
     */
    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        jul.removeHandler(this);
        jul.setUseParentHandlers(true);
    }
}
