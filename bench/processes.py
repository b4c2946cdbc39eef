"""What the benchmark scripts share: ports on 127.0.0.1, waiting for a peer to listen, and
stopping the processes they started."""
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
