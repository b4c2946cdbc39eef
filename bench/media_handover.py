#!/usr/bin/env python3
"""bench/media_handover: what it costs to run bridged calls' media on a media worker rather than
on the control loop, per call, in the same run.

Ours: Switchboard with one media worker ([media] workers = 1): each call's SDP is negotiated on
the control loop and its streams and link are made, rewired and ended on the worker, by posted
messages. The anchor: the same binary with the media on the control loop ([media] workers = 0),
as every call's media ran before the workers. Both are driven the same way: sipp's built-in UAC
(its INVITE carries an SDP offer, so every call is anchored) at a fixed rate for a fixed window,
into Switchboard, which relays to sipp's built-in UAS; no RTP flows, so what is measured is the
set-up and tear-down of each call's media, not its relaying. For each, the server's CPU time
per call (the whole process's, and its control loop's alone: the main thread's, proc(5)).

Everything runs on 127.0.0.1 of this machine, every process bounded by a timeout.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

SWITCHBOARD = "@SB_SWITCHBOARD@"
sys.path.insert(0, os.path.join("@PROJECT_SOURCE_DIR@", "bench"))
from processes import cpu_seconds, free_port, stop, wait_listening  # noqa: E402


def measure(work, workers, rate, seconds):
    """Per-call CPU (process, control loop) of one server run; raises if a call failed."""
    sip, uas_port = free_port(), free_port()
    media = min(free_port() // 2 * 2, 50000)
    config = os.path.join(work, f"switchboard-{workers}.toml")
    with open(config, "w") as f:
        f.write(f"""data_dir = "{work}/var"
[log]
level = "warning"
[calls]
max_calls = 1000000
max_calls_per_source = 1000000
[media]
workers = {workers}
port_min = {media}
port_max = {media + 9999}
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = {sip}
[[routes]]
target = "sip:${{user}}@127.0.0.1:{uas_port}"
""")
    budget = seconds + 60
    uas = subprocess.Popen(["timeout", "-k", "3", str(budget), "sipp", "-sn", "uas", "-i",
                            "127.0.0.1", "-p", str(uas_port), "-nostdin"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen(["timeout", "-k", "3", str(budget), SWITCHBOARD, "serve",
                               "--config", config], stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(work, f"switchboard-{workers}.log"), "w"))
    try:
        wait_listening("u", uas_port)
        wait_listening("u", sip)
        time.sleep(0.2)
        pid = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                 text=True).stdout.split()[0])
        process, control = f"/proc/{pid}/stat", f"/proc/{pid}/task/{pid}/stat"
        before = cpu_seconds(process), cpu_seconds(control)
        calls = rate * seconds
        out = subprocess.run(
            ["timeout", "-k", "3", str(seconds + 40), "sipp", "-sn", "uac", f"127.0.0.1:{sip}",
             "-i", "127.0.0.1", "-p", str(free_port()), "-r", str(rate), "-m", str(calls),
             "-d", "0", "-l", str(calls), "-nostdin", "-timeout", f"{seconds + 30}s",
             "-trace_err", "-error_file", os.path.join(work, f"sipp-{workers}.errors")],
            capture_output=True, text=True)
        after = cpu_seconds(process), cpu_seconds(control)
        if out.returncode != 0:
            with open(os.path.join(work, f"sipp-{workers}.errors")) as errors:
                raise RuntimeError(f"sipp failed (exit {out.returncode}) with workers = "
                                   f"{workers}; its first errors:\n{errors.read(3000)}")
        return (after[0] - before[0]) / calls, (after[1] - before[1]) / calls
    finally:
        stop(server)
        stop(uas)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=1000, help="calls per second")
    parser.add_argument("--seconds", type=int, default=5, help="length of the window")
    args = parser.parse_args()
    print(f"bench/media_handover: {os.cpu_count()} CPUs; {args.rate} calls/s for "
          f"{args.seconds} s, each anchored, no RTP", flush=True)
    with tempfile.TemporaryDirectory() as work:
        ours = measure(work, 1, args.rate, args.seconds)
        anchor = measure(work, 0, args.rate, args.seconds)
    for name, (total, control) in (("ours: media on a worker", ours),
                                   ("anchor: media on the control loop", anchor)):
        print(f"  {name:34s} server CPU {total * 1000:.3f} ms per call, control loop "
              f"{control * 1000:.3f} ms", flush=True)
    print(f"ratio (ours / anchor): server CPU {ours[0] / anchor[0]:.2f}, control loop "
          f"{ours[1] / anchor[1]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
