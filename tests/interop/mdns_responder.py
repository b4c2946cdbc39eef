#!/usr/bin/env python3
"""A minimal mDNS responder for the tests (RFC 6762, RFC 6763), standing where an NDI sender's
announcement would be when no Avahi daemon runs: it joins 224.0.0.251:5353 on loopback and
answers a PTR query for _ndi._tcp.local with one instance (PTR, SRV, TXT, and the host's A
record as additional records). A query from a port other than 5353 is answered by unicast to
that port with its id and question echoed (RFC 6762 §6.7), as Avahi does.

usage: mdns_responder.py "HOST (Source)" PORT SECONDS
"""
import socket
import struct
import sys
import time

SERVICE = "_ndi._tcp.local"


def name(text):
    out = b""
    for label in text.split("."):
        raw = label.encode()
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def record(owner, rtype, data, ttl=120):
    return owner + struct.pack("!HHIH", rtype, 0x8001, ttl, len(data)) + data


def answer(query, instance, port):
    qid, _flags, qd = struct.unpack("!HHH", query[:6])
    # The question ends at its name's terminating zero, then type and class.
    end = query.index(b"\0", 12) + 5
    question = query[12:end]
    if name(SERVICE) not in question or not question.endswith(b"\x00\x0c\x00\x01"):
        return None
    full = name(instance + "." + SERVICE)
    host = name("testhost.local")
    answers = [record(name(SERVICE), 12, full)]
    extra = [
        record(full, 33, struct.pack("!HHH", 0, 0, port) + host),
        record(full, 16, b"\x0dgroups=public"),
        record(host, 1, socket.inet_aton("127.0.0.1")),
    ]
    header = struct.pack("!HHHHHH", qid, 0x8400, 1, len(answers), 0, len(extra))
    return header + question + b"".join(answers) + b"".join(extra)


def main():
    instance, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("0.0.0.0", 5353))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton("224.0.0.251") + socket.inet_aton("127.0.0.1"))
    print("listening", flush=True)
    until = time.time() + seconds
    while time.time() < until:
        s.settimeout(max(0.1, until - time.time()))
        try:
            query, sender = s.recvfrom(9000)
        except socket.timeout:
            break
        if len(query) < 17 or query[2] & 0x80:
            continue  # a response, not a query
        reply = answer(query, instance, port)
        if reply and sender[1] != 5353:
            s.sendto(reply, sender)
            print("answered", sender, flush=True)


if __name__ == "__main__":
    main()
