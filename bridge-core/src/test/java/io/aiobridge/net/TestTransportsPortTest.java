package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_transports.py}, the cases a Java interface
 * leaves: {@code writelines}' default and the one optional method's refusal. The other abstract
 * methods cannot be left out of a Java implementation (asyncio checks that they raise {@code
 * NotImplementedError}); {@code test_flowcontrol_mixin_set_write_limits} runs on a real socket
 * in {@link UvloopTcpPortTest}.
 */
class TestTransportsPortTest {

    /** A transport of the application's own that implements only what it must. */
    static class MyTransport implements Transport {
        final List<byte[]> writes = new ArrayList<>();

        @Override
        public void write(byte[] data) {
            writes.add(data);
        }

        @Override
        public void writeEof() {}

        @Override
        public boolean canWriteEof() {
            return false;
        }

        @Override
        public void close() {}

        @Override
        public boolean isClosing() {
            return false;
        }

        @Override
        public void abort() {}

        @Override
        public void pauseReading() {}

        @Override
        public void resumeReading() {}

        @Override
        public boolean isReading() {
            return true;
        }

        @Override
        public Object getExtraInfo(String name) {
            return null;
        }

        @Override
        public void setWriteBufferLimits(Integer high, Integer low) {}

        @Override
        public int getWriteBufferSize() {
            return 0;
        }

        @Override
        public Protocol getProtocol() {
            return null;
        }

        @Override
        public void setProtocol(Protocol protocol) {}
    }

    @Test
    void test_writelines() {
        MyTransport transport = new MyTransport();
        transport.writelines(List.of("line1".getBytes(), "line2".getBytes(),
                "line3".getBytes()));
        assertEquals(1, transport.writes.size(), "one write of the joined lines");
        assertArrayEquals("line1line2line3".getBytes(), transport.writes.get(0));

        List<byte[]> withNull = new ArrayList<>();
        withNull.add("a".getBytes());
        withNull.add(null);
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> transport.writelines(withNull));
        assertEquals("data[1] is null", e.getMessage());
        assertEquals(1, transport.writes.size(), "nothing written");
    }

    @Test
    void test_not_implemented() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new MyTransport().getWriteBufferLimits());
        assertTrue(e.getMessage().startsWith("get_write_buffer_limits() is not implemented"),
                e.getMessage());
    }
}
