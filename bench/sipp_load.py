"""sipp as a load generator for the call-rate benchmarks: its built-in UAC at a fixed rate for a
fixed window, its built-in UAS, and a ramp of rate steps that finds the highest clean rate.

A rate step is clean when every call of the step succeeded (sipp exits 0, no failed call) and sipp
kept up with the rate it was asked for (the step ended within 1.5 s of its window)."""
import os
import re
import subprocess
import time

from processes import free_port, stop, wait_listening


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


def ramp(name, start, rates, seconds, work):
    """Highest clean rate for one system under test, started fresh for the ramp by
    `start(work, port, budget_s)`, which returns what stops it; the UAC calls 127.0.0.1:port."""
    port = free_port()
    budget = int(len(rates) * (seconds + 15) + 30)
    close = start(work, port, budget)
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
        close()
    return best


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child_of(proc):
    """The process that timeout(1) runs as `proc`."""
    return int(subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                              text=True).stdout.split()[0])


def calls_up(stat_file):
    """The calls up at sipp's last statistics line (-trace_stat's CurrentCall), none if one
    has failed (FailedCall(C)); 0 without statistics."""
    try:
        with open(stat_file) as f:
            rows = [line.rstrip("\n").split(";") for line in f if line.strip()]
    except OSError:
        return 0
    if len(rows) < 2 or "CurrentCall" not in rows[0] or "FailedCall(C)" not in rows[0]:
        return 0
    last = rows[-1]
    if int(last[rows[0].index("FailedCall(C)")]) > 0:
        return 0
    return int(last[rows[0].index("CurrentCall")])


def memory_per_call(start, work, calls, rate):
    """Resident memory per established call of the system under test, started by
    `start(work, port, budget_s)` (as for ramp()) with a `.pid` for the process measured: its RSS
    before and while `calls` calls from sipp's UAC at `rate` are held up — every one of them
    answered, or the measurement is refused. Returns (before KiB, during KiB, KiB per call)."""
    port = free_port()
    hold_s = calls / rate + 15
    close = start(work, port, int(hold_s + 40))
    try:
        pid = close.pid
        before = rss_kib(pid)
        uac = subprocess.Popen(
            ["timeout", "-k", "3", str(int(hold_s + 30)), "sipp", "-sn", "uac",
             f"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", str(free_port()), "-r", str(rate),
             "-m", str(calls), "-l", str(calls), "-d", str(int(hold_s * 1000)), "-nostdin",
             "-trace_stat", "-stf", os.path.join(work, "held.csv"), "-fd", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Every call is up after calls/rate seconds; the INVITE transactions (RFC 6026
        # Accepted, 64×T1 = 32 s) are still there too, as they would be in service.
        time.sleep(calls / rate + 3)
        during = rss_kib(pid)
        up = calls_up(os.path.join(work, "held.csv"))
        stop(uac)
        if up < calls:
            raise RuntimeError(f"only {up} of {calls} calls were up: no figure per call")
    finally:
        close()
    return before, during, (during - before) / calls


def serve_switchboard(binary, work, name, body, port, timeout_s):
    """A Switchboard on UDP 127.0.0.1:port with `body` added to a quiet configuration with no
    call limits; started, listening."""
    config = os.path.join(work, f"{name}.toml")
    with open(config, "w") as f:
        f.write(f"""data_dir = "{work}/{name}"
[log]
level = "warning"
[calls]
max_calls = 1000000
max_calls_per_source = 1000000
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = {port}
""" + body)
    proc = subprocess.Popen(["timeout", "-k", "3", str(timeout_s), binary, "serve",
                             "--config", config], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, f"{name}.log"), "w"))
    wait_listening("u", port)
    return proc


def kamailio(source_dir, work, name, port, defines, timeout_s, config="deploy/kamailio/kamailio.cfg"):
    """Kamailio (-m 1024 -M 16) on UDP 127.0.0.1:port with `config` (under the source tree) and
    the -A `defines`; started, listening. Its log is work/name.log."""
    run = os.path.join(work, name)
    os.makedirs(run, exist_ok=True)
    args = ["timeout", "-k", "3", str(timeout_s), "kamailio", "-DD", "-E", "-f",
            os.path.join(source_dir, config), "-Y", run, "-m", "1024", "-M", "16",
            "-A", f"LISTEN=udp:127.0.0.1:{port}"]
    for define in defines:
        args += ["-A", define]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, f"{name}.log"), "w"))
    wait_listening("u", port)
    return proc

