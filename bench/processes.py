"""What the benchmark scripts share: ports on 127.0.0.1, waiting for a peer to listen,
stopping the processes they started, and reading the CPU time they used."""
import os
import signal
import socket
import subprocess
import time


def free_port(kind=socket.SOCK_DGRAM):
    """A port of 127.0.0.1 free for `kind` (UDP unless told) when asked."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(proto, port, seconds=10):
    """Waits until something listens on `port`; `proto` is ss's letter: "u" (UDP) or "t" (TCP)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        out = subprocess.run(["ss", f"-Hl{proto}n", f"sport = :{port}"], capture_output=True,
                             text=True)
        if out.stdout.strip():
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {proto} port {port}")


def stop(proc):
    """SIGTERM, then SIGKILL after ten seconds."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(path):
    """User and system CPU time so far of the process or thread whose proc(5) stat file this is
    (fields 14 and 15)."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
