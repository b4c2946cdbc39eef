#!/usr/bin/python3
"""bench/escalations: escalations per second end to end, and their set-up time, against a plain
SIP call through the same gateway (the anchor), in the same run.

Ours: an agent POSTs an IFMessage `escalate` naming the expert; the gateway checks policy, writes
its witness entries (durable: group commit), calls the expert (sipp's built-in UAS, which
answers at once) and joins the answered call to the escalation's room; the agent hears
`answered` on its WebSocket, hangs up with DELETE and hears `ended`. Set-up time: from sending
the POST to receiving `answered`.

The anchor: the same expert called through the same Switchboard as a plain B2BUA call by a
small SIP client in this script (INVITE with SDP, 200, ACK, BYE, 200), without API, policy,
witness or room. Set-up time: from sending the INVITE to receiving its 200. Both sides are
driven by the same asyncio client at the same concurrency, so the ratio is the cost of the
escalation layer over an answered call.

Everything runs on 127.0.0.1 of this machine, every process bounded by a timeout.
"""
import argparse
import asyncio
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import websockets

SWITCHBOARD = "@SB_SWITCHBOARD@"
sys.path.insert(0, os.path.join("@PROJECT_SOURCE_DIR@", "bench"))
from processes import cpu_seconds, free_port, stop, wait_listening  # noqa: E402
TOKEN = "bench-token"
AGENT = "bench-agent"


def start(work, budget_s):
    """Switchboard with the API, one expert (a sipp UAS) and a route to it for the anchor."""
    sip, api, uas = free_port(), free_port(socket.SOCK_STREAM), free_port()
    media = free_port() // 2 * 2
    media = min(media, 60000)
    with open(os.path.join(work, "policy.toml"), "w") as f:
        f.write(f'[[rules]]\nid = "bench"\neffect = "allow"\nagents = ["{AGENT}"]\n'
                'reason = "The benchmark agent may escalate."\n')
    with open(os.path.join(work, "experts.json"), "w") as f:
        json.dump([{"id": "uas", "sipUri": f"sip:uas@127.0.0.1:{uas}", "maxConcurrent": 1000}], f)
    with open(os.path.join(work, "switchboard.toml"), "w") as f:
        f.write(f"""data_dir = "{work}/var"
[log]
level = "warning"
[calls]
max_calls = 100000
max_calls_per_source = 100000
[media]
port_min = {media}
port_max = {media + 1999}
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = {sip}
[[routes]]
target = "sip:${{user}}@127.0.0.1:{uas}"
[api]
enabled = true
port = {api}
[[api.tokens]]
agent = "{AGENT}"
sha256 = "{hashlib.sha256(TOKEN.encode()).hexdigest()}"
[escalations]
policy = "{work}/policy.toml"
experts = "{work}/experts.json"
""")
    uas_proc = subprocess.Popen(
        ["timeout", "-k", "3", str(budget_s), "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p",
         str(uas), "-nostdin"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen(
        ["timeout", "-k", "3", str(budget_s), SWITCHBOARD, "serve", "--config",
         os.path.join(work, "switchboard.toml")], stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(work, "switchboard.log"), "w"))
    wait_listening("u", uas)
    wait_listening("u", sip)
    wait_listening("t", api)
    return server, uas_proc, sip, api


class Connections:
    """The agent's HTTP/1.1 connections, kept alive between requests as an HTTP client
    library's pool keeps them; one per request in flight."""

    def __init__(self, api):
        self.api, self.idle = api, []

    async def request(self, method, target, body=None):
        """One request; returns (status, body)."""
        reader, writer = self.idle.pop() if self.idle else await asyncio.open_connection(
            "127.0.0.1", self.api)
        data = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(data)}\r\n")
        if body is not None:
            head += "Content-Type: application/json\r\n"
        writer.write(head.encode() + b"\r\n" + data)
        lines = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(int(line.split(":", 1)[1]) for line in lines
                      if line.lower().startswith("content-length:"))
        reply = await reader.readexactly(length)
        self.idle.append((reader, writer))
        return status, reply

    def close(self):
        for _, writer in self.idle:
            writer.close()


class Events:
    """The agent's WebSocket: every event, kept per escalation until awaited."""

    def __init__(self):
        self.waiting = {}

    def future(self, escalation, event):
        key = (escalation, event)
        if key not in self.waiting:
            self.waiting[key] = asyncio.get_running_loop().create_future()
        return self.waiting[key]

    async def listen(self, ws):
        async for text in ws:
            m = json.loads(text)
            p = m["payload"]
            event = p.get("event", m["performative"])
            if event == "failure":
                event = "answered"  # wakes the waiter, which checks the result
            f = self.future(p["escalation"], event)
            if not f.done():
                f.set_result((time.perf_counter(), m))


async def escalation(http, events, n):
    began = time.perf_counter()
    status, body = await http.request("POST", "/v1/escalations", {
        "id": f"bench-{n}", "performative": "escalate", "sender": AGENT,
        "payload": {"topic": "bench", "expert": "uas", "reason": "a benchmark"}})
    if status != 201:
        raise RuntimeError(f"escalation {n}: {status} {body[:200]!r}")
    eid = json.loads(body)["payload"]["escalation"]
    answered, message = await asyncio.wait_for(events.future(eid, "answered"), 10)
    if message["performative"] == "failure":
        raise RuntimeError(f"escalation {n} failed: {message}")
    status, body = await http.request("DELETE", f"/v1/escalations/{eid}")
    if status != 200:
        raise RuntimeError(f"hang-up {n}: {status} {body[:200]!r}")
    await asyncio.wait_for(events.future(eid, "ended"), 10)
    del events.waiting[(eid, "answered")], events.waiting[(eid, "ended")]
    return answered - began


class SipClient(asyncio.DatagramProtocol):
    """A minimal UAC over UDP: enough for INVITE/200/ACK and BYE/200 on loopback."""

    def __init__(self):
        self.pending = {}

    def connection_made(self, transport):
        self.transport = transport
        self.port = transport.get_extra_info("sockname")[1]

    def datagram_received(self, data, addr):
        text = data.decode(errors="replace")
        status = int(text.split(" ", 2)[1]) if text.startswith("SIP/2.0") else 0
        headers = dict(line.split(":", 1) for line in text.split("\r\n\r\n")[0].split("\r\n")[1:]
                       if ":" in line)
        key = (headers.get("Call-ID", "").strip(), headers.get("CSeq", "").strip())
        f = self.pending.get(key)
        if status >= 200 and f and not f.done():
            f.set_result((time.perf_counter(), status, headers))

    async def request(self, target, lines, call_id, cseq, body=""):
        f = asyncio.get_running_loop().create_future()
        self.pending[(call_id, cseq)] = f
        branch = f"z9hG4bK{random.getrandbits(64):x}"
        message = (f"{lines[0]}\r\nVia: SIP/2.0/UDP 127.0.0.1:{self.port};branch={branch};rport\r\n"
                   + "".join(line + "\r\n" for line in lines[1:])
                   + f"Call-ID: {call_id}\r\nCSeq: {cseq}\r\nMax-Forwards: 70\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n{body}")
        self.transport.sendto(message.encode(), target)
        try:
            return await asyncio.wait_for(f, 10)
        finally:
            del self.pending[(call_id, cseq)]


async def plain_call(client, sip, n):
    call_id, tag = f"bench-{n}-{random.getrandbits(48):x}", f"{random.getrandbits(32):x}"
    uri = f"sip:uas@127.0.0.1:{sip}"
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
    common = [f"From: <sip:bench@127.0.0.1>;tag={tag}",
              f"Contact: <sip:bench@127.0.0.1:{client.port}>"]
    target = ("127.0.0.1", sip)
    began = time.perf_counter()
    answered, status, headers = await client.request(
        target, [f"INVITE {uri} SIP/2.0", *common, f"To: <{uri}>",
                 "Content-Type: application/sdp"], call_id, "1 INVITE", sdp)
    if status != 200:
        raise RuntimeError(f"call {n}: {status}")
    to = headers["To"].strip()
    remote = headers.get("Contact", f"<{uri}>").strip().strip("<>").split(">")[0]
    ack = (f"ACK {remote} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{client.port};"
           f"branch=z9hG4bK{random.getrandbits(64):x};rport\r\n{common[0]}\r\nTo: {to}\r\n"
           f"Call-ID: {call_id}\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
    client.transport.sendto(ack.encode(), target)
    _, status, _ = await client.request(target, [f"BYE {remote} SIP/2.0", *common, f"To: {to}"],
                                        call_id, "2 BYE")
    if status != 200:
        raise RuntimeError(f"BYE {n}: {status}")
    return answered - began


async def drive(count, concurrency, one):
    """Runs `count` of `one(n)` with `concurrency` at a time; returns (seconds, set-up times)."""
    times, next_n = [], iter(range(count))

    async def worker():
        for n in next_n:
            times.append(await one(n))

    began = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), 600)
    return time.perf_counter() - began, times


async def measured(pid, count, concurrency, one):
    """drive(), with the server's CPU time per operation added to its result: the whole
    process's, and its control loop's (the main thread)."""
    process, control = f"/proc/{pid}/stat", f"/proc/{pid}/task/{pid}/stat"
    before = cpu_seconds(process), cpu_seconds(control)
    seconds, times = await drive(count, concurrency, one)
    return (seconds, times, (cpu_seconds(process) - before[0]) / count,
            (cpu_seconds(control) - before[1]) / count)


def summary(name, seconds, times, cpu, control_cpu):
    times = sorted(times)
    p50 = statistics.median(times) * 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    rate = len(times) / seconds
    print(f"  {name:34s} {len(times):5d} in {seconds:6.2f} s: {rate:8.1f}/s, set-up p50 "
          f"{p50:7.2f} ms, p99 {p99:7.2f} ms; server CPU {cpu * 1000:.2f} ms each "
          f"(control loop {control_cpu * 1000:.2f} ms)", flush=True)
    return rate, p50, p99, cpu


async def bench(pid, sip, api, count, concurrency):
    events = Events()
    async with websockets.connect(f"ws://127.0.0.1:{api}/v1/events?access_token={TOKEN}",
                                  max_size=None) as ws:
        listener = asyncio.create_task(events.listen(ws))
        connections = Connections(api)
        await drive(min(20, count), concurrency, lambda n: escalation(connections, events, -1 - n))
        ours = summary("ours: escalations (API to answered)", *await measured(
            pid, count, concurrency, lambda n: escalation(connections, events, n)))
        listener.cancel()
        _, metrics = await connections.request("GET", "/metrics")
        connections.close()
        figures = dict(line.split(" ", 1) for line in metrics.decode().splitlines()
                       if line.startswith("switchboard_witness_"))
        entries = float(figures["switchboard_witness_entries"])
        print(f"  witness: {entries / (count + min(20, count)):.1f} entries per escalation, "
              f"{entries / float(figures['switchboard_witness_commits_total']):.1f} per commit")
    loop = asyncio.get_running_loop()
    _, client = await loop.create_datagram_endpoint(SipClient, local_addr=("127.0.0.1", 0))
    await drive(min(20, count), concurrency, lambda n: plain_call(client, sip, -1 - n))
    anchor = summary("anchor: plain SIP calls (INVITE to 200)", *await measured(
        pid, count, concurrency, lambda n: plain_call(client, sip, n)))
    client.transport.close()
    return ours, anchor


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="escalations and calls, each")
    parser.add_argument("--concurrency", type=int, default=10, help="in flight at once")
    args = parser.parse_args()
    print(f"bench/escalations: {os.cpu_count()} CPUs; {args.count} of each, "
          f"{args.concurrency} at a time, after 20 to warm up", flush=True)
    with tempfile.TemporaryDirectory() as work:
        server, uas, sip, api = start(work, 900)
        try:
            pid = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                     text=True).stdout.split()[0])
            ours, anchor = asyncio.run(bench(pid, sip, api, args.count, args.concurrency))
        except Exception:
            with open(os.path.join(work, "switchboard.log")) as log:
                print("switchboard's log ends:", *log.readlines()[-10:], sep="\n  ")
            raise
        finally:
            stop(server)
            stop(uas)
    print(f"ratio (ours / anchor): rate {ours[0] / anchor[0]:.2f}, set-up p50 "
          f"{ours[1] / anchor[1]:.2f}, p99 {ours[2] / anchor[2]:.2f}, server CPU "
          f"{ours[3] / anchor[3]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
