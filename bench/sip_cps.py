#!/usr/bin/env python3
"""bench/sip_cps: the highest clean call rate through Switchboard (a B2BUA) and through Kamailio
(a transaction-stateful t_relay proxy, the anchor) in the same run, their ratio, and
Switchboard's memory per established call.

Each side is driven the same way (bench/sipp_load.py): sipp's built-in UAC at a fixed rate for a
fixed window, into the system under test, which relays to sipp's built-in UAS. The rate rises
step by step until a step is not clean.

Everything runs on 127.0.0.1 of this machine, every process bounded by a timeout. On a machine
with few cores, sipp's two processes compete with the server under test for them: the ceiling
found may be sipp's as much as the server's, and the same for both sides.
"""
import argparse
import os
import sys
import tempfile
import time

SWITCHBOARD = "@SB_SWITCHBOARD@"
SOURCE_DIR = "@PROJECT_SOURCE_DIR@"
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench"))
from processes import free_port, stop  # noqa: E402
from sipp_load import Uas, child_of, kamailio, memory_per_call, ramp, serve_switchboard  # noqa: E402


def start_switchboard(work, port, uas_port, timeout_s):
    # Signalling only, as the Kamailio anchor does no media: sipp sends no RTP here.
    proc = serve_switchboard(SWITCHBOARD, work, "switchboard", f"""[media]
anchor = false
[[routes]]
target = "sip:${{user}}@127.0.0.1:{uas_port}"
""", port, timeout_s)
    time.sleep(0.2)
    return proc


def start_kamailio(work, port, uas_port, timeout_s):
    proc = kamailio(SOURCE_DIR, work, "kamailio", port, [f'NEXT="sip:127.0.0.1:{uas_port}"'],
                    timeout_s, "tests/interop/kamailio/relay.cfg")
    time.sleep(0.5)
    return proc


def behind(start_server):
    """A system under test in front of sipp's UAS, for ramp()."""
    def start(work, port, budget):
        uas_port = free_port()
        uas = Uas(uas_port, budget)
        server = start_server(work, port, uas_port, budget)

        def close():
            stop(server)
            uas.close()
        close.pid = child_of(server)
        return close
    return start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each rate step")
    parser.add_argument("--rates", default="500,1000,1500,2000,2500,3000,3500,4000,5000,6000",
                        help="the rate steps, calls per second")
    parser.add_argument("--held-calls", type=int, default=5000,
                        help="calls held open to measure memory per call")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    print(f"bench/sip_cps: {os.cpu_count()} CPUs; sipp UAC and UAS share them with the server "
          f"under test; steps of {args.seconds} s", flush=True)
    with tempfile.TemporaryDirectory() as work:
        ours = ramp("switchboard", behind(start_switchboard), rates, args.seconds, work)
        anchor = ramp("kamailio", behind(start_kamailio), rates, args.seconds, work)
        before, during, per_call = memory_per_call(behind(start_switchboard), work,
                                                   args.held_calls, 500)
    print(f"switchboard (B2BUA, two transactions per hop): highest clean rate {ours} calls/s")
    print(f"kamailio 5.6 (t_relay, -m 1024 -M 16, 4 children): highest clean rate {anchor} "
          f"calls/s")
    ratio = ours / anchor if anchor else float("inf")
    print(f"ratio switchboard/kamailio: {ratio:.2f} (goal >= 1.0)")
    print(f"switchboard memory: {before} KiB idle, {during} KiB with {args.held_calls} calls "
          f"up: {per_call:.1f} KiB per established call (goal <= 16)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
