#!/usr/bin/env python3
"""bench/sip_cps: the highest clean call rate through Switchboard (a B2BUA) and through Kamailio
(a transaction-stateful t_relay proxy, the anchor) in the same run, their ratio, and
Switchboard's memory per established call.

Each side is driven the same way: sipp's built-in UAC at a fixed rate for a fixed window, into
the system under test, which relays to sipp's built-in UAS. A rate step is clean when every call
of the step succeeded (sipp exits 0, no failed call) and sipp kept up with the rate it was asked
for (the step ended within 1.5 s of its window). The rate rises step by step until a step is
not clean.

Everything runs on 127.0.0.1 of this machine, every process bounded by a timeout. On a machine
with few cores, sipp's two processes compete with the server under test for them: the ceiling
found may be sipp's as much as the server's, and the same for both sides.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

SWITCHBOARD = "@SB_SWITCHBOARD@"
SOURCE_DIR = "@PROJECT_SOURCE_DIR@"
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench"))
from processes import free_port, stop, wait_listening  # noqa: E402


def run_uac(target, rate, calls, hold_ms, timeout_s, extra=()):
    """Runs sipp's built-in UAC; returns (exit code, successful, failed, retrans, wall seconds)."""
    cmd = ["timeout", "-k", "3", str(timeout_s), "sipp", "-sn", "uac", target, "-i", "127.0.0.1",
           "-p", str(free_port()), "-r", str(rate), "-m", str(calls), "-d", str(hold_ms),
           "-l", str(max(calls, 1)), "-nostdin", "-timeout", f"{timeout_s - 5}s",
           "-default_behaviors", "all,-abortunexp", *extra]
    began = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - began
    text = out.stdout

    def cumulative(label):
        found = re.findall(rf"{label}\s*\|\s*\S+\s*\|\s*(\S+)", text)
        return found[-1] if found else "0"

    successful = int(cumulative("Successful call"))
    failed = int(cumulative("Failed call"))
    retrans = 0
    for m in re.finditer(r"^\s*\S+\s+(?:-+>|<-+)\s+(?:E-RTD\d+\s+)?(\d+)\s+(\d+)", text, re.M):
        retrans += int(m.group(2))
    return out.returncode, successful, failed, retrans, wall


class Uas:
    def __init__(self, port, timeout_s):
        self.proc = subprocess.Popen(
            ["timeout", "-k", "3", str(timeout_s), "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p",
             str(port), "-nostdin"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening("u", port)

    def close(self):
        stop(self.proc)


def start_switchboard(work, port, uas_port, timeout_s):
    config = os.path.join(work, "switchboard.toml")
    with open(config, "w") as f:
        f.write(f"""data_dir = "{work}/var"
[log]
level = "warning"
[calls]
max_calls = 1000000
max_calls_per_source = 1000000
# Signalling only, as the Kamailio anchor does no media: sipp sends no RTP here.
[media]
anchor = false
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = {port}
[[routes]]
target = "sip:${{user}}@127.0.0.1:{uas_port}"
""")
    proc = subprocess.Popen(["timeout", "-k", "3", str(timeout_s), SWITCHBOARD, "serve",
                             "--config", config], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "switchboard.log"), "w"))
    wait_listening("u", port)
    time.sleep(0.2)
    return proc


def start_kamailio(work, port, uas_port, timeout_s):
    run = os.path.join(work, "kamailio")
    os.makedirs(run, exist_ok=True)
    proc = subprocess.Popen(
        ["timeout", "-k", "3", str(timeout_s), "kamailio", "-DD", "-E", "-f",
         os.path.join(SOURCE_DIR, "tests/interop/kamailio/relay.cfg"), "-Y", run, "-m", "1024",
         "-M", "16", "-A", f"LISTEN=udp:127.0.0.1:{port}",
         "-A", f'NEXT="sip:127.0.0.1:{uas_port}"'],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "kamailio.log"), "w"))
    wait_listening("u", port)
    time.sleep(0.5)
    return proc


def ramp(name, start, rates, seconds, work):
    """Highest clean rate for one system under test, restarted fresh for the ramp."""
    uas_port, port = free_port(), free_port()
    budget = int(len(rates) * (seconds + 15) + 30)
    uas = Uas(uas_port, budget)
    server = start(work, port, uas_port, budget)
    best = 0
    try:
        for rate in rates:
            calls = rate * seconds
            code, ok, failed, retrans, wall = run_uac(f"127.0.0.1:{port}", rate, calls, 0,
                                                      seconds + 25)
            clean = code == 0 and failed == 0 and ok == calls and wall <= seconds + 1.5
            print(f"  {name:11s} {rate:6d} calls/s for {seconds} s: {ok:7d}/{calls} answered, "
                  f"{failed} failed, {retrans} retransmissions, done in {wall:5.1f} s -> "
                  f"{'clean' if clean else 'NOT clean'}", flush=True)
            if not clean:
                break
            best = rate
            time.sleep(1)
    finally:
        stop(server)
        uas.close()
    return best


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def memory_per_call(work, calls, rate):
    """Switchboard's resident memory per established call: calls held open, RSS compared."""
    uas_port, port = free_port(), free_port()
    hold_s = calls / rate + 15
    uas = Uas(uas_port, int(hold_s + 40))
    server = start_switchboard(work, port, uas_port, int(hold_s + 40))
    try:
        pid = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                 text=True).stdout.split()[0])
        before = rss_kib(pid)
        uac = subprocess.Popen(
            ["timeout", "-k", "3", str(int(hold_s + 30)), "sipp", "-sn", "uac",
             f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(free_port()), "-r", str(rate),
             "-m", str(calls), "-l", str(calls), "-d", str(int(hold_s * 1000)), "-nostdin"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Every call is up after calls/rate seconds; the INVITE transactions (RFC 6026
        # Accepted, 64×T1 = 32 s) are still there too, as they would be in service.
        time.sleep(calls / rate + 3)
        during = rss_kib(pid)
        stop(uac)
    finally:
        stop(server)
        uas.close()
    return before, during, (during - before) / calls


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
        ours = ramp("switchboard", start_switchboard, rates, args.seconds, work)
        anchor = ramp("kamailio", start_kamailio, rates, args.seconds, work)
        before, during, per_call = memory_per_call(work, args.held_calls, 500)
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
