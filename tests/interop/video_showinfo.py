#!/usr/bin/env python3
"""Reads ffmpeg's showinfo log (ffmpeg -nostats -vf showinfo -f null -) of a stream we sent and
checks every decoded frame: the expected size (or sizes, comma-separated: the stream changed
from one to the next once, and every one of them was decoded), and our frame metadata SEI (docs/video-sei.md:
UUID 672b78d2-cd90-4900-9cf9-d74200a13eaf, version 1, capture time, trace id, expert id) with
the expected ids and capture times that never go back. Prints one line per finding; exits 1 on
the first frame that fails.

usage: video_showinfo.py LOG FRAMES WIDTHxHEIGHT[,WIDTHxHEIGHT…] TRACE EXPERT
"""
import re
import sys

OURS = "672b78d2-cd90-4900-9cf9-d74200a13eaf"


def frames_of(log):
    frames = []
    uuid = None
    for line in log.splitlines():
        if "Parsed_showinfo" not in line:
            continue
        m = re.search(r"\bn:\s*(\d+) .* s:(\d+x\d+)", line)
        if m:
            frames.append({"n": int(m.group(1)), "size": m.group(2), "sei": []})
            continue
        m = re.search(r"UUID=([0-9a-f-]+)", line)
        if m:
            uuid = m.group(1)
            continue
        m = re.search(r"User Data=([0-9a-f]*)", line)
        if m and frames:
            frames[-1]["sei"].append((uuid, bytes.fromhex(m.group(1))))
    return frames


def metadata(data):
    if len(data) < 10 or data[0] != 1:
        raise ValueError("not version 1")
    capture = int.from_bytes(data[1:9], "big")
    at = 9
    ids = []
    for _ in range(2):
        n = data[at]
        ids.append(data[at + 1:at + 1 + n].decode())
        at += 1 + n
    return capture, ids[0], ids[1]


def main():
    log_file, count, size, trace, expert = sys.argv[1:6]
    frames = frames_of(open(log_file, errors="replace").read())
    if len(frames) != int(count):
        print(f"decoded {len(frames)} frames, sent {count}")
        return 1
    last = 0
    sizes, at = size.split(","), 0
    for frame in frames:
        if frame["size"] != sizes[at] and at + 1 < len(sizes) and frame["size"] == sizes[at + 1]:
            at += 1
        if frame["size"] != sizes[at]:
            print(f"frame {frame['n']}: {frame['size']}, not {sizes[at]}")
            return 1
        ours = [data for uuid, data in frame["sei"] if uuid == OURS]
        if len(ours) != 1:
            print(f"frame {frame['n']}: {len(ours)} metadata SEIs of ours")
            return 1
        capture, got_trace, got_expert = metadata(ours[0])
        if (got_trace, got_expert) != (trace, expert):
            print(f"frame {frame['n']}: trace {got_trace} expert {got_expert}")
            return 1
        if capture < last:
            print(f"frame {frame['n']}: capture time {capture} before {last}")
            return 1
        last = capture
    if at + 1 != len(sizes):
        print(f"no frame of {sizes[at + 1]}")
        return 1
    print(f"{len(frames)} frames of {size}, each with the trace, the expert and a capture time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
