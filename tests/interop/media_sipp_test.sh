#!/usr/bin/env bash
# Relayed media checked packet by packet: a sipp caller plays a recorded PCMA stream (sipp's
# g711a.pcap: 236 packets, 7 s) through Switchboard to a callee that also answers PCMA, so the
# media is relayed without transcoding. A recorder at the callee's media port must receive the
# payloads intact and in order, under Switchboard's own SSRC (not the recording's), with
# sequence numbers and timestamps (240 samples a packet) that step as the recording's do.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all

sip_port=$(free_port 45000)
bob_port=$(free_port 47000)
callee_media=$(( $(free_port 52000) / 2 * 2 ))
anchor_to "$bob_port"

# The recorder: every RTP packet at the callee's media port, for up to 15 s or 236 packets.
python3 - "$callee_media" "$work/received.txt" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.5)
deadline, got = time.time() + 15, []
while time.time() < deadline and len(got) < 236:
    try:
        got.append(s.recv(2048))
    except socket.timeout:
        pass
with open(sys.argv[2], "w") as f:
    for p in got:
        f.write(p.hex() + "\n")
PY
recorder_pid=$!
background_pids+=("$recorder_pid")
# The call starts once the recorder listens: a slow interpreter start must not lose packets.
wait_listening udp "$callee_media" || fail_with "the recorder did not start"

timeout -k 3 40 sipp -sf "$here/scenarios/pcap_uas.xml" -i 127.0.0.1 -p "$bob_port" \
  -key recorder_port "$callee_media" -mp "$(( $(free_port 58000) / 2 * 2 ))" -m 1 -nostdin \
  -timeout 30s >"$work/uas.out" 2>&1 &
uas_pid=$!
background_pids+=("$uas_pid")
wait_listening udp "$bob_port"
caller_port=$(free_port 37000)
timeout -k 3 40 sipp -sf "$here/scenarios/pcap_uac.xml" "127.0.0.1:$sip_port" -s bob \
  -i 127.0.0.1 -p "$caller_port" -mp "$(( $(free_port 56000) / 2 * 2 ))" -m 1 -nostdin \
  -timeout 30s >"$work/uac.out" 2>&1 || fail_with "the caller failed"
wait "$uas_pid" || fail_with "the callee failed"
wait "$recorder_pid" || true

python3 - "$work/received.txt" <<'PY' || fail_with "the relayed stream is not the recording"
import struct, sys
data = open("/usr/share/sip-tester/g711a.pcap", "rb").read()
sent, at = [], 24
while at + 16 <= len(data):
    length = struct.unpack("<I", data[at + 8:at + 12])[0]
    frame = data[at + 16:at + 16 + length]
    at += 16 + length
    ip = frame[14:]
    rtp = ip[(ip[0] & 15) * 4 + 8:]
    sent.append(rtp)
received = [bytes.fromhex(line) for line in open(sys.argv[1]) if line.strip()]
print(f"recorded {len(sent)} packets, received {len(received)}")
# Loopback loses nothing on a quiet machine; a loaded one (a parallel build) has shown a packet
# or two lost, so up to 2% may be missing, and each gap must show in the sequence numbers.
assert len(received) >= 0.98 * len(sent), "packets missing"
ssrcs = {p[8:12] for p in received}
assert len(ssrcs) == 1 and sent[0][8:12] not in ssrcs, "SSRC not rewritten to one of ours"
at = 0
previous = None
for i, b in enumerate(received):
    while at < len(sent) and sent[at][12:] != b[12:]:
        at += 1
    assert at < len(sent), f"payload {i} is not in the recording (in order)"
    assert b[1] & 0x7f == 8, f"payload type {b[1] & 0x7f}"
    if previous is not None:
        skipped = at - previous[0]
        seq = (struct.unpack(">H", b[2:4])[0] - struct.unpack(">H", previous[1][2:4])[0]) % 65536
        ts = (struct.unpack(">I", b[4:8])[0] - struct.unpack(">I", previous[1][4:8])[0]) % 2**32
        assert seq == skipped, f"sequence step {seq} where {skipped} packets passed, at {i}"
        assert ts == 240 * skipped, f"timestamp step {ts} at {i}"
    previous = (at, b)
    at += 1
print("every payload intact and in order, under our SSRC, sequence and timestamp continuous")
PY
check "relayed PCMA: the recording's packets, payloads intact, header rewritten"
expect_idle "the pcap call"
# Where any loss happened: before Switchboard (rtp_in short) or in it (rtp_out short of rtp_in).
grep 'stats:' "$work/server.log" | tail -n 1 | grep -o 'rtp_in=[0-9]* rtp_out=[0-9]*'
grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' rtp_malformed=0 rtp_wrong_source=0 ' ||
  fail_with "Switchboard dropped packets of the recording as malformed or from a stranger"
grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' media_sessions=0 rtp_ports=0 ' ||
  fail_with "media sessions or RTP ports left"
check "no call, media session or RTP port left"
