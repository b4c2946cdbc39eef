"""aiortc as the other end of a DataChannel session description, for the webrtc unit tests.

  answer              reads an offer on stdin, prints aiortc's answer
  offer ANSWER_FILE   prints aiortc's offer and a line END, waits (at most 20 s) for
                      ANSWER_FILE.done, takes ANSWER_FILE as the answer, and prints "accepted"
                      or "refused: <why>"
"""
import asyncio
import os
import sys
import time

from aiortc import RTCPeerConnection, RTCSessionDescription


def quiet():
    # Closing a connection whose ICE is starting leaves a task failing with "RTCIceTransport is
    # closed", which says nothing about the description: not worth a traceback.
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)


async def answer():
    quiet()
    pc = RTCPeerConnection()
    await pc.setRemoteDescription(RTCSessionDescription(sys.stdin.read(), "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    print(pc.localDescription.sdp, end="", flush=True)
    await pc.close()


async def offer(answer_file):
    quiet()
    pc = RTCPeerConnection()
    pc.createDataChannel("evidence")
    await pc.setLocalDescription(await pc.createOffer())
    print(pc.localDescription.sdp, end="")
    print("END", flush=True)
    deadline = time.monotonic() + 20
    while not os.path.exists(answer_file + ".done"):
        if time.monotonic() > deadline:
            print("refused: no answer within 20 s", flush=True)
            return
        await asyncio.sleep(0.02)
    with open(answer_file) as f:
        text = f.read()
    try:
        await pc.setRemoteDescription(RTCSessionDescription(text, "answer"))
        print("accepted", flush=True)
    except Exception as e:  # aiortc says why it refuses the answer
        print(f"refused: {e}", flush=True)
    await pc.close()


if sys.argv[1] == "answer":
    asyncio.run(answer())
else:
    asyncio.run(offer(sys.argv[2]))
