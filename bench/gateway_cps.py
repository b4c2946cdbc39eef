#!/usr/bin/env python3
"""bench/gateway_cps: the highest clean rate of SIP → H.323 gateway calls (Fast Connect) through
Switchboard against its plain B2BUA rate (SIP → SIP, as bench/sip_cps) in the same run, their
ratio, and Switchboard's memory per established gateway call.

Gateway: sipp's built-in UAC → Switchboard, whose route sends every call to an h323: URL → a
second Switchboard whose [h323] answers each H.323 call into an echo room (Debian packages no
H.323 load generator). Plain: sipp's built-in UAC → Switchboard → sipp's built-in UAS. Calls
have no hold; sipp sends no RTP. Rate steps as bench/sipp_load.py says.

Everything runs on 127.0.0.1 of this machine, every process bounded by a timeout. On a machine
with few cores, sipp and the answering Switchboard compete with the gateway for them.
"""
import argparse
import os
import socket
import sys
import tempfile
import time

SWITCHBOARD = "@SB_SWITCHBOARD@"
SOURCE_DIR = "@PROJECT_SOURCE_DIR@"
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench"))
from processes import free_port, stop, wait_listening  # noqa: E402
from sipp_load import Uas, child_of, memory_per_call, ramp, serve_switchboard  # noqa: E402


def serve(work, name, body, port, timeout_s):
    """A Switchboard on UDP 127.0.0.1:port with `body` added to a quiet configuration."""
    return serve_switchboard(SWITCHBOARD, work, name, body, port, timeout_s)


def start_gateway(work, port, timeout_s):
    """The gateway and the H.323 side that answers it; returns what stops both."""
    h323_port = free_port(socket.SOCK_STREAM)
    answerer = serve(work, "answerer", f"""[media]
anchor = false
port_min = 30000
port_max = 39999
[h323]
enabled = true
port = {h323_port}
ras_port = 0
""", free_port(), timeout_s)
    wait_listening("t", h323_port)
    gateway = serve(work, "gateway", f"""[media]
anchor = false
port_min = 20000
port_max = 29999
[h323]
enabled = true
port = 0
ras_port = 0
[[routes]]
target = "h323:${{user}}@127.0.0.1:{h323_port}"
""", port, timeout_s)
    time.sleep(0.2)

    def close():
        stop(gateway)
        stop(answerer)
    close.pid = child_of(gateway)
    return close


def start_b2bua(work, port, timeout_s):
    uas_port = free_port()
    uas = Uas(uas_port, timeout_s)
    server = serve(work, "b2bua", f"""[media]
anchor = false
[[routes]]
target = "sip:${{user}}@127.0.0.1:{uas_port}"
""", port, timeout_s)
    time.sleep(0.2)

    def close():
        stop(server)
        uas.close()
    return close


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each rate step")
    parser.add_argument("--rates", default="100,200,300,400,500,750,1000,1500,2000,2500,3000",
                        help="the rate steps, calls per second")
    parser.add_argument("--held-calls", type=int, default=1000,
                        help="gateway calls held open to measure memory per call")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    print(f"bench/gateway_cps: {os.cpu_count()} CPUs, shared by sipp, the gateway and (for the "
          f"gateway) the answering Switchboard; steps of {args.seconds} s", flush=True)
    with tempfile.TemporaryDirectory() as work:
        gateway = ramp("gateway", start_gateway, rates, args.seconds, work)
        b2bua = ramp("b2bua", start_b2bua, rates, args.seconds, work)
        before, during, per_call = memory_per_call(start_gateway, work, args.held_calls, 200)
    print(f"gateway SIP -> H.323 (Fast Connect): highest clean rate {gateway} calls/s")
    print(f"plain B2BUA SIP -> SIP: highest clean rate {b2bua} calls/s")
    ratio = gateway / b2bua if b2bua else float("inf")
    print(f"ratio gateway/b2bua: {ratio:.2f} (goal >= 0.5)")
    print(f"gateway memory: {before} KiB idle, {during} KiB with {args.held_calls} calls up: "
          f"{per_call:.1f} KiB per established call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
