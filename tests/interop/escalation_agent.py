#!/usr/bin/python3
"""The agent's side of the escalation tests, written independently of Switchboard's code.

  events URL OUT SECONDS   records the WebSocket event stream (one JSON message per line)
  verify BASE TOKEN        checks the witness log from outside: every entry as served hashes
                           (RFC 9162 §2.1.1: leaf SHA-256(0x00 || entry), node SHA-256(0x01 ||
                           left || right)) to the signed tree head's root, and the head's Ed25519
                           signature verifies with the served public key; prints each entry's
                           trace id and type.
"""
import asyncio
import hashlib
import json
import sys
import urllib.request

import websockets
from cryptography.hazmat.primitives.serialization import load_pem_public_key


async def events(url, out, seconds):
    with open(out, "w") as f:
        async with websockets.connect(url) as ws:
            print("subscribed", flush=True)
            try:
                while True:
                    message = await asyncio.wait_for(ws.recv(), timeout=seconds)
                    f.write(message + "\n")
                    f.flush()
            except asyncio.TimeoutError:
                pass


def get(base, token, path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def root_of(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + root_of(leaves[:k]) + root_of(leaves[k:])).digest()


def verify(base, token):
    head = json.loads(get(base, token, "/v1/witness/head"))
    size = head["tree_size"]
    entries = []
    while len(entries) < size:
        page = json.loads(get(base, token, f"/v1/witness/entries?from={len(entries)}&to={size}"))
        if not page["entries"]:
            sys.exit("verify: the log served fewer entries than its head counts")
        entries += page["entries"]
    leaves = [hashlib.sha256(b"\x00" + e.encode()).digest() for e in entries]
    if root_of(leaves).hex() != head["root_hash"]:
        sys.exit("verify: the entries do not hash to the head's root")
    key = load_pem_public_key(get(base, token, "/v1/witness/public-key"))
    signed = json.dumps({"root_hash": head["root_hash"], "timestamp": head["timestamp"],
                         "tree_size": size}, separators=(",", ":"))
    key.verify(bytes.fromhex(head["signature"]), signed.encode())  # raises when it does not
    for e in entries:
        entry = json.loads(e)
        print(entry["trace_id"], entry["type"])
    print(f"verified {size} entries")


if __name__ == "__main__":
    if sys.argv[1] == "events":
        asyncio.run(events(sys.argv[2], sys.argv[3], float(sys.argv[4])))
    else:
        verify(sys.argv[2], sys.argv[3])
