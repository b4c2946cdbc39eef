"""The anchor of bench/datachannel: two aiortc peer connections in one process (one thread, as
ours), over loopback, with a DataChannel carrying 64 KiB messages; prints MB/s by wall clock
and per CPU second, and the time from offer to the first message, p50 and p99.

With --ours PROGRAM (bench/datachannel_peers), also our sender against aiortc's receiver: aiortc
offers, PROGRAM --answer-and-send answers and sends; the ratio to aiortc <-> aiortc follows."""
import asyncio
import os
import subprocess
import sys
import time

import aioice.ice
from aiortc import RTCPeerConnection

# Loopback only, as ours is told (aioice leaves 127.0.0.1 out by itself).
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

TOTAL = 32 * 1024 * 1024  # aiortc is some ten times slower than ours: less, for the same time
SIZE = 65536


async def pair():
    a, b = RTCPeerConnection(), RTCPeerConnection()
    inbox = asyncio.Queue()

    @b.on("datachannel")
    def on_channel(channel):
        channel.on("message", lambda m: inbox.put_nowait(len(m)))

    channel = a.createDataChannel("bench")
    opened = asyncio.Event()
    channel.on("open", opened.set)
    began = time.monotonic()
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    await asyncio.wait_for(opened.wait(), 20)
    return a, b, channel, inbox, began


async def main():
    a, b, channel, inbox, _ = await pair()
    payload = b"\x5a" * SIZE
    wall0, cpu0 = time.monotonic(), time.process_time()
    sent = got = 0
    while got < TOTAL:
        while sent < TOTAL and channel.bufferedAmount < 4 * 1024 * 1024:
            channel.send(payload)
            sent += SIZE
        got += await asyncio.wait_for(inbox.get(), 60)
    wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
    print(f"  anchor: aiortc <-> aiortc {TOTAL / wall / 1e6:.1f} MB/s (wall), "
          f"{TOTAL / cpu / 1e6:.1f} MB/s per CPU second", flush=True)
    await a.close()
    await b.close()
    times = []
    for _ in range(20):
        a, b, channel, inbox, began = await pair()
        channel.send(b"\x01" * 16)
        await asyncio.wait_for(inbox.get(), 20)
        times.append((time.monotonic() - began) * 1000)
        await a.close()
        await b.close()
    times.sort()
    print(f"  anchor: aiortc, offer to first message, {len(times)} set-ups: "
          f"p50 {times[len(times) // 2]:.2f} ms, p99 {times[-1]:.2f} ms", flush=True)
    return TOTAL / wall / 1e6


def cpu_of(pid):
    """A process's CPU seconds so far (/proc/PID/stat's utime and stime)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().split(") ")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def ours(program, mib):
    """aiortc offers; our program answers and sends MIB MiB after a greeting. Returns the
    milliseconds from the offer to the greeting, the MB/s of the rest (first to last byte), and
    the share of a core our program used meanwhile."""
    pc = RTCPeerConnection()
    inbox = asyncio.Queue()
    channel = pc.createDataChannel("bench")
    channel.on("message", lambda m: inbox.put_nowait(len(m)))
    began = time.monotonic()
    await pc.setLocalDescription(await pc.createOffer())
    peer = subprocess.Popen([program, "--answer-and-send", str(mib)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    peer.stdin.write(pc.localDescription.sdp)
    peer.stdin.close()
    answer = []
    for line in peer.stdout:
        if line.strip() == "END":
            break
        answer.append(line)
    from aiortc import RTCSessionDescription
    cpu0, wall0 = cpu_of(peer.pid), time.monotonic()
    await pc.setRemoteDescription(RTCSessionDescription("".join(answer), "answer"))
    await asyncio.wait_for(inbox.get(), 20)
    first = (time.monotonic() - began) * 1000
    rate = 0.0
    if mib:
        got, total = 0, mib << 20
        got += await asyncio.wait_for(inbox.get(), 60)
        start = time.monotonic()
        while got < total:
            got += await asyncio.wait_for(inbox.get(), 60)
        rate = (total - SIZE) / (time.monotonic() - start) / 1e6
    cpu = (cpu_of(peer.pid) - cpu0) / (time.monotonic() - wall0)
    peer.kill()
    peer.wait()
    await pc.close()
    return first, rate, cpu


async def against_ours(program):
    _, rate, cpu = await ours(program, TOTAL >> 20)
    print(f"  ours -> aiortc {rate:.1f} MB/s (aiortc's receiver, one core); our sender used "
          f"{100 * cpu:.0f}% of a core", flush=True)
    times = sorted([(await ours(program, 0))[0] for _ in range(20)])
    print(f"  ours -> aiortc, aiortc's offer to our first message, {len(times)} set-ups: "
          f"p50 {times[len(times) // 2]:.2f} ms, p99 {times[-1]:.2f} ms", flush=True)
    return rate


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--ours":
        anchor = asyncio.run(main())
        rate = asyncio.run(against_ours(sys.argv[2]))
        print(f"  ratio ours -> aiortc / aiortc <-> aiortc: {rate / anchor:.2f}", flush=True)
    else:
        asyncio.run(main())
