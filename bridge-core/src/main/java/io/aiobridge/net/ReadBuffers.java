package io.aiobridge.net;

import io.aiobridge.EventLoop;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One direct read buffer per loop, shared by all its transports: reads run on the loop one at a
 * time and copy out what they got, so 10,000 connections need one 256 KiB buffer, not 10,000.
 */
final class ReadBuffers {
    private ReadBuffers() {}

    static final int SIZE = 256 * 1024;
    private static final Map<EventLoop, ByteBuffer> BUFFERS = new WeakHashMap<>();

    static synchronized ByteBuffer of(EventLoop loop) {
        return BUFFERS.computeIfAbsent(loop, l -> ByteBuffer.allocateDirect(SIZE));
    }
}
