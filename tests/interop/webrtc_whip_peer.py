"""aiortc as a WebRTC peer of an escalation (the expert's browser, or an agent), joining by WHIP
(RFC 9725): it posts its offer to POST /v1/escalations/{id}/whip with a bearer token; or, with
--websocket, on the signalling WebSocket GET /v1/escalations/{id}/signal, where it asks
Switchboard to offer and answers (Switchboard then opens the channel). Either way it then
speaks Switchboard's control-channel protocol (src/bridge/peer_protocol.hpp) on the channel
"switchboard": it answers the handshake, acknowledges context updates, and reads evidence
chunks with a reader of its own, checking each chunk's SHA-256 and the whole file's.

  webrtc_whip_peer.py BASE ESCALATION TOKEN WORKDIR [--hold-after N] [--wrong-digest]
                     [--websocket] [--files N]

Its last offer is kept in WORKDIR/offer.sdp. It prints one line per event: ACTIVE, CONTEXT <summary>, ANNOUNCED <name> FROM <chunk>,
ERROR <detail>, HOLDING <chunk>, RESUMED AT <chunk>, EVIDENCE <sha-256>, ENDED <reason>, and,
on the WebSocket, SIGNAL ERROR <detail> for the errors about two bad ICE restarts it sends.
With --hold-after N it stops acknowledging (and holding) chunks from chunk N on, prints
HOLDING, and waits for the file WORKDIR/rejoin; then it drops its session and joins again
with a new one, keeping what it holds, so that Switchboard resumes from chunk N. With
--wrong-digest it reports a wrong SHA-256 for the whole file. After the first ACTIVE it also
sends a performative Switchboard does not know, whose error it prints. It ends 2 s after
the EVIDENCE of its Nth file (--files, 1 by default), on "bye" in WORKDIR/bye, or after 90 s.
"""
import argparse
import asyncio
import hashlib
import json
import os
import struct
import urllib.error
import urllib.request
import uuid

import websockets

from aiortc import RTCPeerConnection, RTCSessionDescription


def say(*words):
    print(*words, flush=True)


def message(performative, payload):
    return json.dumps({"id": "aiortc-" + uuid.uuid4().hex, "performative": performative,
                       "sender": "aiortc", "receiver": "switchboard", "payload": payload})


def post_offer(url, token, sdp):
    request = urllib.request.Request(url, data=sdp.encode(), method="POST", headers={
        "Content-Type": "application/sdp", "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode(), response.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), None


class Peer:
    def __init__(self, args):
        self.args = args
        self.files = {}  # transfer -> {"count", "sha256", "chunks": []}
        self.holding = False
        self.rejoined = False
        self.resumed = False
        self.bogus_sent = False
        self.finished = asyncio.Event()
        self.whole = 0  # files received whole

    def on_text(self, channel, text):
        m = json.loads(text)
        p = m.get("payload", {})
        kind = m["performative"]
        if kind == "handshake":
            channel.send(message("handshake", {"in_reply_to": m["id"], "binary": True}))
            say("ACTIVE")
            if not self.bogus_sent:
                self.bogus_sent = True
                channel.send(message("dance", {}))
        elif kind == "context_update":
            say("CONTEXT", p["summary"])
            channel.send(message("ack", {"in_reply_to": m["id"]}))
        elif kind == "evidence_chunk" and "data" not in p:
            self.files.setdefault(p["transfer"], {"count": p["count"], "sha256": p["sha256"],
                                                  "chunks": []})
            say("ANNOUNCED", p["name"], "FROM", p["from"])
        elif kind == "error":
            say("ERROR", p.get("detail", ""))
        elif kind == "session_end":
            say("ENDED", p.get("reason", ""))

    def on_chunk(self, channel, data):
        if data[:4] != b"SBE1":
            return
        transfer = data[4:20].hex()
        index, count = struct.unpack(">II", data[20:28])
        digest, payload = data[28:60], data[60:]
        f = self.files.get(transfer)
        if f is None or index < len(f["chunks"]):
            return
        if self.args.hold_after is not None and not self.rejoined and \
                index >= self.args.hold_after:
            if not self.holding:
                self.holding = True
                say("HOLDING", index)
            return
        if self.rejoined and not self.resumed:
            self.resumed = True
            say("RESUMED AT", index)
        if hashlib.sha256(payload).digest() != digest or index != len(f["chunks"]):
            channel.send(message("error", {"in_reply_to": transfer,
                                           "detail": f"chunk {index} refused"}))
            return
        f["chunks"].append(payload)
        ack = {"in_reply_to": transfer, "next": len(f["chunks"])}
        if len(f["chunks"]) == count:
            whole = hashlib.sha256(b"".join(f["chunks"])).hexdigest()
            ack["sha256"] = "0" * 64 if self.args.wrong_digest else whole
            say("EVIDENCE", whole)
            self.whole += 1
            if self.whole == self.args.files:
                asyncio.get_running_loop().call_later(2, self.finished.set)
        channel.send(message("ack", ack))

    async def ws_session(self):
        """Switchboard offers on the signalling WebSocket; we answer there."""
        url = (self.args.base.replace("http://", "ws://") +
               f"/v1/escalations/{self.args.escalation}/signal?access_token={self.args.token}")
        self.ws = await websockets.connect(url)
        await self.ws.send(message("handshake", {}))
        while True:
            m = json.loads(await self.ws.recv())
            if m["performative"] == "handshake":
                break
            if m["performative"] == "error":
                say("REFUSED", m["payload"].get("detail"))
                return None
        say("OFFERED", m["payload"]["type"])
        pc = RTCPeerConnection()
        pc.on("datachannel", lambda channel: channel.on(
            "message", lambda msg: self.on_text(channel, msg) if isinstance(msg, str)
            else self.on_chunk(channel, msg)))
        await pc.setRemoteDescription(RTCSessionDescription(m["payload"]["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.ws.send(message("handshake", {"sdp": pc.localDescription.sdp}))
        # Bad ICE restarts: a fragment that is not text, and an answer to no restart.
        asyncio.ensure_future(self.signal_errors())
        await self.ws.send(message("handshake", {"type": "offer", "ice": 5}))
        await self.ws.send(message("handshake", {"type": "answer", "ice":
                                                 "a=ice-ufrag:Zx9q\r\na=ice-pwd:" + "p" * 24 + "\r\n"}))
        return pc

    async def signal_errors(self):
        async for text in self.ws:
            m = json.loads(text)
            if m["performative"] == "error":
                say("SIGNAL ERROR", m["payload"].get("detail"))

    async def session(self):
        if self.args.websocket:
            return await self.ws_session()
        pc = RTCPeerConnection()
        channel = pc.createDataChannel("switchboard")
        channel.on("message", lambda m: self.on_text(channel, m) if isinstance(m, str)
                   else self.on_chunk(channel, m))
        await pc.setLocalDescription(await pc.createOffer())  # every candidate gathered
        with open(os.path.join(self.args.workdir, "offer.sdp"), "w") as f:
            f.write(pc.localDescription.sdp)
        url = f"{self.args.base}/v1/escalations/{self.args.escalation}/whip"
        status, body, location = await asyncio.get_running_loop().run_in_executor(
            None, post_offer, url, self.args.token, pc.localDescription.sdp)
        if status != 201:
            say("REFUSED", status, body)
            await pc.close()
            return None
        say("JOINED", location)
        await pc.setRemoteDescription(RTCSessionDescription(body, "answer"))
        return pc

    async def wait_for(self, name):
        path = os.path.join(self.args.workdir, name)
        while not os.path.exists(path) and not self.finished.is_set():
            await asyncio.sleep(0.05)

    async def run(self):
        pc = await self.session()
        if pc is None:
            return
        if self.args.hold_after is not None:
            await self.wait_for("rejoin")
            await pc.close()
            if self.args.websocket:  # a new socket, as a new session's
                await self.ws.close()
            self.rejoined = True
            pc = await self.session()
            if pc is None:
                return
        bye = asyncio.ensure_future(self.wait_for("bye"))
        await asyncio.wait([bye, asyncio.ensure_future(self.finished.wait())],
                           return_when=asyncio.FIRST_COMPLETED)
        if self.args.websocket:  # ends the session on the signalling, then goes
            await self.ws.send(message("session_end", {"reason": "done"}))
            await asyncio.sleep(0.5)
            await self.ws.close()
        await pc.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("escalation")
    parser.add_argument("token")
    parser.add_argument("workdir")
    parser.add_argument("--hold-after", type=int)
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--wrong-digest", action="store_true")
    parser.add_argument("--websocket", action="store_true")
    args = parser.parse_args()
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    await asyncio.wait_for(Peer(args).run(), 90)


asyncio.run(main())
