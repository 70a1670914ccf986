"""Hostile clients for scripts/bench-edge: N connections that never authenticate and send slowly.

Each connection sends a request head with a wrong token and a large Content-Length, then trickles
its body a few bytes at a time; when the server answers or closes, it starts over. Half of them
trickle their head instead (slowloris). Runs until killed.
usage: slow_clients.py HOST PORT N
"""
import asyncio
import random
import sys


async def one(host, port, slow_head):
    while True:
        try:
            reader, writer = await asyncio.open_connection(host, port)
            head = (b"POST /api/v1/conversations/x/messages HTTP/1.1\r\nHost: bench\r\n"
                    b"Authorization: Bearer not-a-token\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 1000000\r\n\r\n")
            if slow_head:
                for i in range(0, len(head), 8):
                    writer.write(head[i:i + 8])
                    await writer.drain()
                    await asyncio.sleep(0.2)
            else:
                writer.write(head)
            while not reader.at_eof():
                writer.write(b"x" * 16)
                await writer.drain()
                try:
                    await asyncio.wait_for(reader.read(4096), timeout=0.1)
                except asyncio.TimeoutError:
                    pass
            writer.close()
        except (ConnectionError, OSError):
            await asyncio.sleep(0.05 + random.random() * 0.05)


async def main(host, port, n):
    await asyncio.gather(*(one(host, port, i % 2 == 0) for i in range(n)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
