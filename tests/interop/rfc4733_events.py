#!/usr/bin/env python3
"""RFC 4733 telephone-events as a far end receives them, for the DTMF tests.

record PORT OUT SECONDS  writes one line per event packet (payload type 101) that reaches
                         127.0.0.1:PORT within SECONDS: marker, sequence, timestamp, SSRC,
                         event, end bit, duration.
check OUT DIGIT TICKS    checks the recorded packets are one event of DIGIT as RFC 4733 §2.5
                         sends it: the marker on the first packet alone, the end bit on the last
                         three, one timestamp and SSRC, sequence numbers stepping by one, and a
                         final duration of TICKS.
"""
import socket
import struct
import sys
import time

EVENTS = "0123456789*#ABCD"


def record(port, out, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(port)))
    s.settimeout(0.5)
    deadline, lines = time.time() + float(seconds), []
    while time.time() < deadline:
        try:
            p = s.recv(2048)
        except socket.timeout:
            continue
        if len(p) >= 16 and p[1] & 0x7F == 101:
            seq, ts, ssrc = struct.unpack(">HII", p[2:12])
            lines.append(f"{p[1] >> 7} {seq} {ts} {ssrc} {p[12]} {p[13] >> 7} {p[14] << 8 | p[15]}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def check(out, digit, ticks):
    rows = [line.split() for line in open(out) if line.strip()]
    print(f"{len(rows)} event packets:", "; ".join(" ".join(r) for r in rows))
    assert len(rows) >= 4, "too few event packets"
    marker, seqs, stamps, ssrcs, events, ends = ([r[i] for r in rows] for i in range(6))
    assert marker[0] == "1" and set(marker[1:]) == {"0"}, "the marker bit belongs on the first alone"
    assert set(events) == {str(EVENTS.index(digit))}, f"not the digit {digit}"
    assert ends[-3:] == ["1", "1", "1"] and set(ends[:-3]) <= {"0"}, "the end bit, three times, last"
    assert len(set(stamps)) == 1 and len(set(ssrcs)) == 1, "one event: one timestamp, one SSRC"
    steps = {(int(b) - int(a)) % 65536 for a, b in zip(seqs, seqs[1:])}
    assert steps == {1}, f"sequence numbers must step by one, got {steps}"
    assert int(rows[-1][6]) == int(ticks), f"final duration {rows[-1][6]} ticks, not {ticks}"


if __name__ == "__main__":
    {"record": record, "check": check}[sys.argv[1]](*sys.argv[2:])
