#!/usr/bin/env python3
"""bench/cluster_cps: calls a second through Kamailio (deploy/kamailio/kamailio.cfg: the
dispatcher, round robin over the instances that answer its OPTIONS probes) in front of one,
two and three Switchboard instances, in the same run, and the scaling ratios; the anchor is
Kamailio relaying straight to the callee (no instance behind it). Then the failover at half
the three instances' rate: one instance killed (SIGKILL) half-way, the calls that failed, and
the seconds until Kamailio took it out.

Driven as bench/sip_cps is (bench/sipp_load.py): sipp's built-in UAC at a fixed rate for a
fixed window, calls held 0 s, a rate step clean when every call succeeded. Everything runs on
127.0.0.1 of this machine: sipp's two processes, Kamailio's children and the instances share
its cores, so past the cores there are, more instances add processes, not capacity; the figures
say where that is.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SWITCHBOARD = "@SB_SWITCHBOARD@"
SOURCE_DIR = "@PROJECT_SOURCE_DIR@"
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench"))
from processes import free_port, stop  # noqa: E402
from sipp_load import Uas, child_of, kamailio, ramp, serve_switchboard  # noqa: E402


def start_instance(work, name, uas_port, timeout_s):
    port = free_port()
    proc = serve_switchboard(SWITCHBOARD, work, name, f"""[media]
anchor = false
[api]
enabled = false
[h323]
enabled = false
[webrtc]
enabled = false
[[routes]]
target = "sip:${{user}}@127.0.0.1:{uas_port}"
""", port, timeout_s)
    return proc, port


def start_kamailio(work, port, destinations, timeout_s):
    listing = os.path.join(work, "dispatcher.list")
    with open(listing, "w") as f:
        for d in destinations:
            f.write(f"1 sip:127.0.0.1:{d} 0 0\n")
    proc = kamailio(SOURCE_DIR, work, "kamailio", port, [f'DISPATCHER_LIST="{listing}"'],
                    timeout_s)
    time.sleep(2.5)  # a round of probes: every instance up
    return proc, os.path.join(work, "kamailio.log")


def cluster(instances):
    """Kamailio in front of `instances` Switchboards in front of sipp's UAS, for ramp()."""
    def start(work, port, budget):
        uas_port = free_port()
        uas = Uas(uas_port, budget)
        servers = [start_instance(work, f"sb{n}", uas_port, budget) for n in range(instances)]
        kamailio, _ = start_kamailio(work, port, [p for _, p in servers], budget)

        def close():
            stop(kamailio)
            for proc, _ in servers:
                stop(proc)
            uas.close()
        return close
    return start


def relay_only(work, port, budget):
    """The anchor: Kamailio's relay configuration straight to sipp's UAS (as bench/sip_cps)."""
    uas_port = free_port()
    uas = Uas(uas_port, budget)
    proc = kamailio(SOURCE_DIR, work, "relay", port, [f'NEXT="sip:127.0.0.1:{uas_port}"'],
                    budget, "tests/interop/kamailio/relay.cfg")
    time.sleep(0.5)

    def close():
        stop(proc)
        uas.close()
    return close


def failover(work, rate, seconds):
    """Three instances at `rate`; one killed half-way. Returns (calls, failed, seconds to mark
    it down)."""
    budget = seconds + 60
    uas_port = free_port()
    uas = Uas(uas_port, budget)
    servers = [start_instance(work, f"fo{n}", uas_port, budget) for n in range(3)]
    port = free_port()
    kamailio, log = start_kamailio(work, port, [p for _, p in servers], budget)
    try:
        calls = rate * seconds
        uac = subprocess.Popen(
            ["timeout", "-k", "3", str(seconds + 40), "sipp", "-sn", "uac", f"127.0.0.1:{port}",
             "-i", "127.0.0.1", "-p", str(free_port()), "-r", str(rate), "-m", str(calls),
             "-l", str(calls), "-d", "1000", "-nostdin", "-timeout", f"{seconds + 35}s",
             "-default_behaviors", "all,-abortunexp"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(seconds / 2)
        killed = time.time()
        os.kill(child_of(servers[1][0]), signal.SIGKILL)
        out, _ = uac.communicate()
        found = lambda label: int((re.findall(rf"{label}\s*\|\s*\S+\s*\|\s*(\S+)", out) or ["0"])[-1])
        marks = re.findall(rf"instance sip:127.0.0.1:{servers[1][1]} is down at ([0-9.]+)",
                           open(log).read())
        down = float(marks[0]) - killed if marks else float("nan")
        return calls, found("Failed call"), down
    finally:
        stop(kamailio)
        for proc, _ in servers:
            stop(proc)
        uas.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each rate step")
    parser.add_argument("--rates", default="250,500,750,1000,1250,1500,2000,2500,3000",
                        help="the rate steps, calls per second")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    print(f"bench/cluster_cps: {os.cpu_count()} CPUs shared by sipp, Kamailio (4 children) and "
          f"the instances; steps of {args.seconds} s", flush=True)
    with tempfile.TemporaryDirectory() as work:
        anchor = ramp("kamailio", relay_only, rates, args.seconds, work)
        best = {n: ramp(f"{n} instance{'s' if n > 1 else ''}", cluster(n), rates, args.seconds,
                        work) for n in (1, 2, 3)}
        half = max(best[3] // 2, 10)
        calls, failed, down = failover(work, half, 20)
    print(f"kamailio relaying to the callee alone (the anchor): {anchor} calls/s")
    for n, rate in best.items():
        ratio = rate / best[1] if best[1] else float("nan")
        print(f"through kamailio to {n} instance(s): {rate} calls/s; {ratio:.2f} x one instance; "
              f"{rate / anchor if anchor else float('nan'):.2f} x the anchor")
    print(f"failover at {half} calls/s (half of three instances' best), calls held 1 s: one of "
          f"three killed half-way through {calls} calls: {failed} failed, taken out "
          f"{down:.1f} s after the kill")
    return 0


if __name__ == "__main__":
    sys.exit(main())
