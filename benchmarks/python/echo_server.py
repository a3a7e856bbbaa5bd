"""The CPython side of the TCP echo benchmark: an echo server on 127.0.0.1, on asyncio's own
loop or uvloop, written with protocols, buffered protocols or streams (as uvloop's own echo
benchmark does).
Prints port=N once listening and serves until its stdin closes.

    python3 echo_server.py --loop asyncio|uvloop --mode protocol|buffered|streams
"""
import argparse
import asyncio
import sys


class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


class EchoBufferedProtocol(asyncio.BufferedProtocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = bytearray(256 * 1024)
        self.view = memoryview(self.buffer)

    def get_buffer(self, sizehint):
        return self.view

    def buffer_updated(self, nbytes):
        self.transport.write(self.view[:nbytes])


async def echo_streams(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main(mode):
    loop = asyncio.get_running_loop()
    if mode == "protocol":
        server = await loop.create_server(EchoProtocol, "127.0.0.1", 0)
    elif mode == "buffered":
        server = await loop.create_server(EchoBufferedProtocol, "127.0.0.1", 0)
    else:
        server = await asyncio.start_server(echo_streams, "127.0.0.1", 0)
    print(f"port={server.sockets[0].getsockname()[1]}", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--loop", default="asyncio")
    p.add_argument("--mode", default="protocol")
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    asyncio.run(main(a.mode))
