#!/usr/bin/env python3
"""An RTSP camera for the video tests: the RTSP exchange (RFC 2326: OPTIONS, DESCRIBE, SETUP,
PLAY, GET_PARAMETER, TEARDOWN) is scripted here; the RTP is ffmpeg's own, started at PLAY:
testsrc in H.264 (RFC 6184), its parameter sets in-band before each key frame, so the
description carries none. It goes to the UDP ports the client named in SETUP, or, for a
client that asks for TCP, through a UDP port of ours into the RTSP connection, each packet
framed by '$', the channel and its length (§10.12).

    rtsp_camera.py PORT SECONDS

serves one client on 127.0.0.1:PORT, for SECONDS at most; prints each request's method."""
import re
import socket
import subprocess
import sys
import threading

port, seconds = int(sys.argv[1]), float(sys.argv[2])
SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=camera\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "a=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
       "a=fmtp:96 packetization-mode=1\r\na=control:track1\r\n")
SERVER_PORTS = (port + 2, port + 3)

listener = socket.create_server(("127.0.0.1", port))
listener.settimeout(seconds)
print("LISTENING", flush=True)
client, _ = listener.accept()
client.settimeout(seconds)
sender = None
buffer = b""
writing = threading.Lock()  # answers and interleaved packets share the connection


def send(data):
    with writing:
        client.sendall(data)


def requests():
    global buffer
    while True:
        while buffer.startswith(b"$"):  # the client's interleaved RTCP: skipped
            while len(buffer) < 4:
                buffer += client.recv(4096)
            size = 4 + int.from_bytes(buffer[2:4], "big")
            while len(buffer) < size:
                buffer += client.recv(4096)
            buffer = buffer[size:]
        while b"\r\n\r\n" not in buffer and not buffer.startswith(b"$"):
            data = client.recv(4096)
            if not data:
                return
            buffer += data
        if buffer.startswith(b"$"):
            continue
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
        length = int(headers.get("content-length", "0"))
        while len(buffer) < length:
            buffer += client.recv(4096)
        buffer = buffer[length:]
        yield lines[0].split(" ")[0], lines[0].split(" ")[1], headers


def answer(headers, extra="", body=""):
    reply = f"RTSP/1.0 200 OK\r\nCSeq: {headers.get('cseq', '0')}\r\n" + extra
    if body:
        reply += f"Content-Length: {len(body)}\r\n"
    send((reply + "\r\n" + body).encode())


try:
    interleaved = None
    for method, url, headers in requests():
        print(method, flush=True)
        if method == "OPTIONS":
            answer(headers, "Public: OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN\r\n")
        elif method == "DESCRIBE":
            answer(headers, f"Content-Base: {url}/\r\nContent-Type: application/sdp\r\n", SDP)
        elif method == "SETUP":
            transport = headers.get("transport", "")
            found = re.search(r"client_port=(\d+)-(\d+)", transport)
            if "/TCP" in transport:
                interleaved = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                interleaved.bind(("127.0.0.1", 0))
                rtp_to = interleaved.getsockname()[1]
                answer(headers, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
                                "Session: 4f2a91c7;timeout=60\r\n")
            elif found:
                rtp_to = int(found.group(1))
                answer(headers, f"Transport: RTP/AVP;unicast;client_port={found.group(1)}-"
                                f"{found.group(2)};server_port={SERVER_PORTS[0]}-"
                                f"{SERVER_PORTS[1]}\r\nSession: 4f2a91c7;timeout=60\r\n")
            else:
                send(f"RTSP/1.0 461 Unsupported Transport\r\nCSeq: "
                     f"{headers.get('cseq')}\r\n\r\n".encode())
        elif method == "PLAY":
            answer(headers, "Session: 4f2a91c7\r\nRange: npt=0.000-\r\n")
            sender = subprocess.Popen(
                ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                 "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-t", str(seconds),
                 "-c:v", "libx264", "-tune", "zerolatency", "-pix_fmt", "yuv420p", "-g", "25",
                 "-bsf:v", "dump_extra", "-f", "rtp", "-payload_type", "96",
                 f"rtp://127.0.0.1:{rtp_to}?localrtpport={SERVER_PORTS[0]}"],
                stdout=subprocess.DEVNULL)  # its SDP: ours is above
            if interleaved:
                def forward():
                    try:
                        while True:
                            packet = interleaved.recv(65536)
                            channel = 1 if 192 <= packet[1] <= 223 else 0  # RTCP: 1
                            send(b"$" + bytes([channel]) + len(packet).to_bytes(2, "big") + packet)
                    except OSError:
                        pass
                threading.Thread(target=forward, daemon=True).start()
        elif method in ("GET_PARAMETER", "SET_PARAMETER"):
            answer(headers, "Session: 4f2a91c7\r\n")
        elif method == "TEARDOWN":
            answer(headers)
            break
        else:
            send(f"RTSP/1.0 501 Not Implemented\r\nCSeq: "
                           f"{headers.get('cseq')}\r\n\r\n".encode())
except (socket.timeout, ConnectionError):
    pass
finally:
    if sender:
        sender.terminate()
        sender.wait()
