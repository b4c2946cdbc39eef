"""aiortc as a WebRTC peer with DataChannels, for the webrtc unit tests (run inside the test's
network namespace).

  answer OFFER_FILE   answers the offer in OFFER_FILE: prints the answer and a line END
  offer ANSWER_FILE   prints an offer and a line END, then waits for ANSWER_FILE.done and takes
                      ANSWER_FILE as the answer; opens a channel "aiortc" and sends
                      "hello from aiortc" on it

Either way it echoes every message on every channel ("echo: " before text, binary as it came),
and ends on the text "bye" (printing "done"), or after 30 s. Binary messages that begin with
"SBE1" are evidence chunks instead (src/webrtc/evidence.hpp), read by this independent reader:
each chunk's SHA-256 is checked, and after the last one it answers "evidence <SHA-256 of the
file>" (or "evidence refused: <why>").
"""
import asyncio
import hashlib
import os
import struct
import sys
import time

from aiortc import RTCPeerConnection, RTCSessionDescription


def evidence(channel, message, received):
    """One chunk: "SBE1", transfer id (16), index, count (4 each, big-endian), SHA-256, data."""
    index, count = struct.unpack(">II", message[20:28])
    digest, data = message[28:60], message[60:]
    if hashlib.sha256(data).digest() != digest:
        channel.send(f"evidence refused: chunk {index} does not match its SHA-256")
        return
    if index != len(received):
        channel.send(f"evidence refused: chunk {index}, {len(received)} expected")
        return
    received.append(data)
    if index + 1 == count:
        channel.send("evidence " + hashlib.sha256(b"".join(received)).hexdigest())


def echo(channel, finished):
    received = []

    @channel.on("message")
    def on_message(message):
        if message == "bye":
            finished.set()
        elif isinstance(message, str):
            channel.send("echo: " + message)
        elif message.startswith(b"SBE1"):
            evidence(channel, message, received)
        else:
            channel.send(message)


async def wait_for_file(path):
    deadline = time.monotonic() + 20
    while not os.path.exists(path + ".done"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {path}.done within 20 s")
        await asyncio.sleep(0.02)
    with open(path) as f:
        return f.read()


async def main(mode, path):
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    pc = RTCPeerConnection()
    finished = asyncio.Event()
    pc.on("datachannel", lambda channel: echo(channel, finished))
    if mode == "answer":
        await pc.setRemoteDescription(RTCSessionDescription(await wait_for_file(path), "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        print(pc.localDescription.sdp, end="")
        print("END", flush=True)
    else:
        ours = pc.createDataChannel("aiortc")
        echo(ours, finished)
        ours.on("open", lambda: ours.send("hello from aiortc"))
        await pc.setLocalDescription(await pc.createOffer())
        print(pc.localDescription.sdp, end="")
        print("END", flush=True)
        await pc.setRemoteDescription(RTCSessionDescription(await wait_for_file(path), "answer"))
    try:
        await asyncio.wait_for(finished.wait(), 30)
        print("done", flush=True)
    finally:
        await pc.close()


asyncio.run(main(sys.argv[1], sys.argv[2]))
