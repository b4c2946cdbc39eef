#!/usr/bin/env bash
# Media anchored through Switchboard between two real phones: baresip calls baresip through the
# B2BUA with [media] anchor on, each phone playing its own tone and recording what it hears
# (baresip's aufile and sndfile modules). Flows: PCMU ↔ Opus and G.722 ↔ PCMU (transcoded),
# PCMU ↔ PCMU (relayed untouched), and PCMU with SDES-keyed SRTP on both legs (the caller
# offers RTP/SAVP; Switchboard offers the callee RTP/AVP with crypto lines, which it takes). Each recording must hold the other phone's tone, with a tone
# to rest-of-signal ratio (Goertzel, over two seconds) of at least 20 dB, and not its own
# (below 0 dB). Why 20 dB: the flows measure 35-41 dB here, the right tone through a wrong or
# dead path measures below -50 dB, and 20 dB leaves room for the phones' jitter buffers while
# admitting nothing that is not clearly that tone. Afterwards no call, dialog, transaction,
# media session or RTP port is left. (Debian's baresip has no G.729 module: G.729 ↔ Opus is
# media_g729_test.sh, with a sipp callee and ffmpeg's G.729 decoder.)
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/baresip_lib.sh"
callee_pid=
cleanup() {
  stop_pid "$callee_pid"
  stop_switchboard
}
on_exit cleanup

sip_port=$(free_port 61000)
caller_port=$(free_port 62000)
callee_port=$(free_port 63000)
media_base=$(( $(free_port 50000) / 2 * 2 ))

write_config <<TOML
[media]
anchor = true
srtp = "optional"
port_min = $media_base
port_max = $(( media_base + 99 ))
[[routes]]
target = "sip:\${user}@127.0.0.1:$callee_port"
TOML
start_switchboard "$switchboard"

# flow NAME CALLER-MODULE CALLER-RATE CALLER-CHANNELS CALLEE-MODULE CALLEE-RATE CALLEE-CHANNELS
#      STAGE [CALLER-MEDIAENC CALLEE-MEDIAENC]
flow() {
  local name=$1 stage=$8
  tone "$work/$name-caller.wav" 600 "$3" "$4"
  tone "$work/$name-callee.wav" 1400 "$6" "$7"
  phone "$name-caller" "$caller_port" "$2" "$work/$name-caller.wav" "${9:-}"
  phone "$name-callee" "$callee_port" "$5" "$work/$name-callee.wav" "${10:-}"
  timeout -k 3 30 baresip -f "$work/$name-callee" >"$work/$name-callee.log" 2>&1 &
  callee_pid=$!
  wait_listening udp "$callee_port" || fail_with "$name: the callee did not start"
  timeout -k 3 20 baresip -f "$work/$name-caller" -e "/dial sip:$name-callee@127.0.0.1:$sip_port" \
    -t 5 >"$work/$name-caller.log" 2>&1 || true
  # The callee closes its recording when the caller's BYE ends the call; stopped before that
  # (a loaded machine), it can leave a WAV file without its header.
  wait_for_text "$work/$name-callee.log" "terminated \(duration" || true
  stop_pid "$callee_pid"
  callee_pid=
  grep -q "Call established" "$work/$name-caller.log" || fail_with "$name: no call"
  grep -q "codec $stage:" "$work/server.log" || fail_with "$name: the codec stage was not $stage"
  local heard_by_caller heard_by_callee
  heard_by_caller=$(ls "$work/$name-caller"/dump-*-dec.wav)
  heard_by_callee=$(ls "$work/$name-callee"/dump-*-dec.wav)
  local a b own_a own_b
  a=$(tone_db "$heard_by_caller" 1400 1 3)
  b=$(tone_db "$heard_by_callee" 600 1 3)
  own_a=$(tone_db "$heard_by_caller" 600 1 3)
  own_b=$(tone_db "$heard_by_callee" 1400 1 3)
  echo "$name: the caller hears the callee's 1400 Hz at $a dB (its own 600 Hz: $own_a dB);" \
    "the callee hears 600 Hz at $b dB (its own: $own_b dB)"
  python3 -c "import sys; sys.exit(0 if $a >= 20 and $b >= 20 and $own_a < 0 and $own_b < 0 else 1)" ||
    fail_with "$name: a phone did not hear the other's tone clearly"
  expect_idle "$name"
  grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' media_sessions=0 rtp_ports=0 ' ||
    fail_with "$name: media sessions or RTP ports left"
  check "$name: each phone hears the other's tone ($stage)"
}

flow pcmu-opus g711.so 8000 1 opus.so 48000 2 fallback
flow g722-pcmu g722.so 16000 1 g711.so 8000 1 transcode
flow pcmu-pcmu g711.so 8000 1 g711.so 8000 1 direct
flow srtp g711.so 8000 1 g711.so 8000 1 direct srtp-mand srtp
for leg in caller callee; do
  grep -q "SRTP AES_CM_128_HMAC_SHA1_80 towards the $leg" "$work/server.log" ||
    fail_with "srtp: no SRTP towards the $leg"
done
check "srtp: SDES-keyed SRTP on both legs (RTP/SAVP from the caller, best effort to the callee)"
