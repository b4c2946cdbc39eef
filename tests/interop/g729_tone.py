#!/usr/bin/env python3
"""g729_tone.py HZ SECONDS OUT: a tone of HZ at a quarter of full scale, SECONDS long, as raw
G.729 frames (ten octets per 10 ms, ffmpeg's "g729" format) in OUT, for the scripted H.323
peer to send. Nothing packaged here encodes G.729 from the command line (ffmpeg only decodes
it), so this drives Belledonne's bcg729 library, which Debian ships, through ctypes.
"""
import ctypes
import math
import sys

hz, seconds, out = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
bcg729 = ctypes.CDLL("libbcg729.so.0")
bcg729.initBcg729EncoderChannel.restype = ctypes.c_void_p
bcg729.initBcg729EncoderChannel.argtypes = [ctypes.c_uint8]
bcg729.bcg729Encoder.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16),
                                 ctypes.POINTER(ctypes.c_uint8), ctypes.POINTER(ctypes.c_uint8)]
bcg729.closeBcg729EncoderChannel.argtypes = [ctypes.c_void_p]
encoder = bcg729.initBcg729EncoderChannel(0)  # no VAD: every frame is speech, ten octets
frame, bits, length = (ctypes.c_int16 * 80)(), (ctypes.c_uint8 * 10)(), ctypes.c_uint8()
with open(out, "wb") as f:
    for n in range(int(seconds * 100)):
        for i in range(80):
            frame[i] = int(8000 * math.sin(2 * math.pi * hz * (n * 80 + i) / 8000))
        bcg729.bcg729Encoder(encoder, frame, bits, ctypes.byref(length))
        f.write(bytes(bits[: length.value]))
bcg729.closeBcg729EncoderChannel(encoder)
