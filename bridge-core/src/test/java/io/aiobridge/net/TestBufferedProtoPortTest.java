package io.aiobridge.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.aiobridge.Aio;
import io.aiobridge.AsyncFuture;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CPython 3.13's {@code Lib/test/test_asyncio/test_buffered_proto.py}: a {@link BufferedProtocol}
 * that lends a fresh 100-byte buffer at each read receives 9 KiB whole and in order, and answers.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TestBufferedProtoPortTest {

    /** CPython's ReceiveStuffProto. */
    static final class ReceiveStuffProto implements BufferedProtocol {
        private final Consumer<byte[]> cb;
        private final AsyncFuture<Void> conLostFut;
        private ByteBuffer buffer;

        ReceiveStuffProto(Consumer<byte[]> cb, AsyncFuture<Void> conLostFut) {
            this.cb = cb;
            this.conLostFut = conLostFut;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            buffer = ByteBuffer.allocate(100);
            return buffer;
        }

        @Override
        public void bufferUpdated(int nbytes) {
            cb.accept(Arrays.copyOf(buffer.array(), nbytes));
        }

        @Override
        public void connectionLost(Throwable exc) {
            if (exc == null) {
                conLostFut.setResult(null);
            } else {
                conLostFut.setException(exc);
            }
        }
    }

    @Test
    void test_buffered_proto_create_connection() {
        byte[] noise = "12345678+".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        Aio.run(() -> {
            Server srv = Streams.startServer((reader, writer) -> {
                writer.write(noise);
                reader.readexactly(1);
                writer.close();
                writer.waitClosed();
            }, "127.0.0.1", 0);
            int port = srv.addresses().get(0).getPort();
            Aio.waitFor(Aio.createTask(() -> {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                Transport[] tr = new Transport[1];
                AsyncFuture<Void> connLostFut = Aio.getRunningLoop().createFuture();
                tr[0] = Net.createConnection(() -> new ReceiveStuffProto(buf -> {
                    data.writeBytes(buf);
                    if (Arrays.equals(data.toByteArray(), noise)) {
                        tr[0].write(new byte[] {'1'});
                    }
                }, connLostFut), "127.0.0.1", port).transport();
                connLostFut.await();
                assertEquals(noise.length, data.size());
                return null;
            }), 5.0);
            srv.close();
            srv.waitClosed();
            return null;
        });
    }
}
