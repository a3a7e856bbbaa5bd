package io.aiobridge.bench.echo;

import io.aiobridge.Aio;
import io.aiobridge.Runner;
import io.aiobridge.net.BufferedProtocol;
import io.aiobridge.net.Net;
import io.aiobridge.net.Protocol;
import io.aiobridge.net.Server;
import io.aiobridge.net.Streams;
import io.aiobridge.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The JVM echo servers of the TCP echo benchmark, one per process: {@code java -cp
 * benchmarks.jar io.aiobridge.bench.echo.EchoServer KIND}, where KIND is {@code
 * aiobridge-protocol}, {@code aiobridge-buffered}, {@code aiobridge-streams} or {@code netty}. Prints {@code port=N} once it
 * listens on 127.0.0.1, then serves until its stdin closes (the benchmark script ends it so).
 * Each runs on one event loop, as the CPython servers do.
 */
public final class EchoServer {
    private EchoServer() {}

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "aiobridge-protocol";
        switch (kind) {
            case "aiobridge-protocol", "aiobridge-buffered", "aiobridge-streams" ->
                    aiobridge(kind.substring("aiobridge-".length()));
            case "netty" -> netty();
            default -> throw new IllegalArgumentException("unknown server kind '" + kind
                    + "'; use aiobridge-protocol, aiobridge-buffered, aiobridge-streams or netty");
        }
    }

    /** Echoes in dataReceived, as uvloop's protocol benchmark server does. */
    static final class EchoProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            this.transport = t;
        }

        @Override
        public void dataReceived(byte[] data) {
            transport.write(data);
        }
    }

    /**
     * Echoes from a direct buffer of its own (asyncio's BufferedProtocol, as uvloop's benchmark
     * server's buffered mode): the socket is read into it and written from it, with no array.
     */
    static final class EchoBufferedProtocol implements BufferedProtocol {
        private final ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            this.transport = t;
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return buf.clear();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            transport.write(buf.flip());
        }
    }

    static void aiobridge(String mode) {
        try (Runner runner = new Runner()) {
            runner.run(() -> {
                Server server = mode.equals("streams")
                        ? Streams.startServer((r, w) -> {
                            try {
                                for (byte[] data = r.read(65536); data.length > 0;
                                        data = r.read(65536)) {
                                    w.write(data);
                                    w.drain();
                                }
                            } catch (IOException gone) {
                                // the client dropped the connection
                            } finally {
                                w.close();
                            }
                        }, "127.0.0.1", 0)
                        : Net.createServer(mode.equals("buffered")
                                ? EchoBufferedProtocol::new : EchoProtocol::new, "127.0.0.1", 0);
                System.out.println("port=" + server.addresses().get(0).getPort());
                System.out.flush();
                // serve until stdin closes
                Aio.toThread(() -> System.in.read());
                server.close();
                return null;
            });
        }
    }

    static void netty() throws Exception {
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup worker = new NioEventLoopGroup(1); // one loop, as the others
        try {
            Channel ch = new ServerBootstrap().group(boss, worker)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.write(msg);
                                }

                                @Override
                                public void channelReadComplete(ChannelHandlerContext ctx) {
                                    ctx.flush();
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx,
                                        Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            System.out.println("port=" + ((InetSocketAddress) ch.localAddress()).getPort());
            System.out.flush();
            System.in.read();
            ch.close().sync();
        } finally {
            boss.shutdownGracefully();
            worker.shutdownGracefully();
        }
    }
}
