#!/usr/bin/env bash
# Headless Chromium (Debian's, with playwright-core from npm) as the expert's browser: it opens
# Switchboard's own expert page with the grant the agent asked for, joins the escalation over
# WHIP, shows the agent's context, and receives a 3 MiB evidence file whose progress it shows
# and whose SHA-256 it checks against the one Switchboard witnessed; it restarts ICE when the
# path is lost, by WHIP's PATCH, and joins again on the signalling WebSocket, where Switchboard
# restarts ICE itself. Chromium runs in the peers' network namespace, Switchboard in its own
# (webrtc_lib.sh).
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
name=webrtc_chromium_test
. "$here/lib.sh"
. "$here/webrtc_lib.sh"
need_browser

# open_page URL WORKDIR LIMIT OUTPUT: Chromium's driver on the page, in the peers' namespace.
open_page() {
  in_peers timeout -k 3 $(($3 + 10)) node "$browser_dir/expert_page.mjs" "$1" "$2" "$3" > "$4" 2>&1 &
  peer_pid=$!
}
# The path is lost: nftables drops UDP both ways (HTTP, and the WebSocket, still pass); and back.
cut_udp() {
  for ns in in_peers in_sb; do
    $ns nft add table inet cut
    $ns nft 'add chain inet cut in { type filter hook input priority 0; }'
    $ns nft 'add rule inet cut in meta l4proto udp drop'
  done
}
restore_udp() {
  for ns in in_peers in_sb; do $ns nft delete table inet cut; done
}
webrtc_gateway wchr 10.204.0.1 10.204.0.2 170

id=$(escalate browser)
wait_until 10 'd["state"] == "answered"' "$id"
token=$(grant "$id")
open_page "$base/expert?escalation=$id#grant=$token" "$work" 80 "$work/chromium.out"
wait_for_text "$work/chromium.out" '^ACTIVE' 30 || fail_with "the page did not join"
wait_until 5 '[p["state"] for p in d["webrtc"]] == ["active"]' "$id"
check "Chromium opened the expert's page and joined escalation $id over WHIP"

out=$(api POST "/v1/escalations/$id/context" "${agent[@]}" -H 'Content-Type: application/json' \
  -d '{"id":"c1","performative":"context_update","sender":"agent-a","payload":{"summary":"Camera 3 shows smoke.","context":{"camera":3}}}')
[ "$(status_of "$out")" = 202 ] || fail_with "context: $out"
wait_for_text "$work/chromium.out" '^CONTEXT Camera 3 shows smoke.' 10 || fail_with "no context"
check "the page shows the agent's context"

head -c $((3 * 1024 * 1024)) /dev/urandom > "$work/photo.jpg"
digest=$(sha256sum "$work/photo.jpg" | cut -d' ' -f1)
out=$(api POST "/v1/escalations/$id/evidence?name=photo.jpg" "${agent[@]}" \
  -H 'Content-Type: image/jpeg' --data-binary "@$work/photo.jpg")
[ "$(status_of "$out")" = 202 ] || fail_with "evidence: $out"
wait_for_text "$work/chromium.out" "^EVIDENCE photo.jpg $digest" 30 ||
  fail_with "the page did not get the file whole"
updates=$(grep "^EVIDENCE photo.jpg" "$work/chromium.out" | awk '{print $4}')
# 3 MiB in chunks of 262,084 bytes (Chromium's 262,144 less the header) is 13 chunks; the page
# shows its progress after each.
[ "$updates" -ge 13 ] || fail_with "the page showed its progress $updates times"
wait_until 10 'd["evidence"][0]["delivered"]' "$id"
check "the page received photo.jpg whole (SHA-256 checked), its progress shown $updates times"

# The path is lost (nftables drops UDP both ways; HTTP still passes) and the expert presses
# Reconnect: the page restarts ICE on the same session with a WHIP PATCH (RFC 9725 §4.3.2),
# which Switchboard answers with new credentials; once the path is back the session recovers
# without a new leg, and carries context again.
cut_udp
touch "$work/reconnect"
wait_for_text "$work/chromium.out" '^RESTARTED 1' 20 ||
  fail_with "the page did not restart ICE: $(grep 'ICE\|STATE' "$work/chromium.out" | tail -3)"
wait_for_text "$work/server.log" 'ICE restarted by the peer' 5 || fail_with "no restart logged"
restore_udp
wait_until 15 '[p["state"] for p in d["webrtc"]] == ["active"]' "$id"
out=$(api POST "/v1/escalations/$id/context" "${agent[@]}" -H 'Content-Type: application/json' \
  -d '{"id":"c2","performative":"context_update","sender":"agent-a","payload":{"summary":"Camera 4 too."}}')
[ "$(status_of "$out")" = 202 ] || fail_with "context: $out"
wait_for_text "$work/chromium.out" '^CONTEXT Camera 4 too.' 15 || fail_with "no context after the restart"
[ "$(field "$(escalation "$id")" 'len(d["webrtc"])')" = 1 ] || fail_with "a new session was made"
check "the path was lost: the page restarted ICE on its session, which carries on"

touch "$work/bye"
wait "$peer_pid" || fail_with "Chromium's driver failed"
peer_pid=
wait_until 10 '[p["state"] for p in d["webrtc"]] == ["closed"] and d["room_state"] == "connected"' "$id"
check "the page closed: its session ended, the room goes on"

# The page again, signalling on the escalation's WebSocket, where Switchboard can restart ICE:
# the path is lost, Switchboard hears nothing for 3 s, degrades the session and offers an ICE
# restart on the socket; the page answers with its new credentials, and once the path is
# back the session recovers on the same leg.
mkdir "$work/ws"
open_page "$base/expert?escalation=$id&signal=websocket#grant=$token" "$work/ws" 50 \
  "$work/chromium-ws.out"
wait_for_text "$work/chromium-ws.out" '^ACTIVE' 30 || fail_with "the page did not join on the WebSocket"
wait_until 5 '[p["state"] for p in d["webrtc"]] == ["closed", "active"]' "$id"
cut_udp
wait_for_text "$work/server.log" 'reconnection attempt 1: ICE restart offered to the peer' 10 ||
  fail_with "Switchboard offered no ICE restart"
wait_for_text "$work/chromium-ws.out" '^ASKED 1' 10 ||
  fail_with "the page was not asked to restart: $(tail -3 "$work/chromium-ws.out")"
wait_for_text "$work/chromium-ws.out" '^RESTARTED 1' 10 || fail_with "the page did not restart"
restore_udp
wait_until 15 '[p["state"] for p in d["webrtc"]] == ["closed", "active"]' "$id"
grep -q 'nothing heard from the peer' "$work/server.log" || fail_with "no silence logged"
out=$(api POST "/v1/escalations/$id/context" "${agent[@]}" -H 'Content-Type: application/json' \
  -d '{"id":"c3","performative":"context_update","sender":"agent-a","payload":{"summary":"Camera 5 clear."}}')
[ "$(status_of "$out")" = 202 ] || fail_with "context: $out"
wait_for_text "$work/chromium-ws.out" '^CONTEXT Camera 5 clear.' 15 ||
  fail_with "no context after Switchboard's restart"
check "on the WebSocket: the path lost, Switchboard restarted ICE, the page answered, the session recovered"
touch "$work/ws/bye"
wait "$peer_pid" || fail_with "Chromium's second driver failed"
peer_pid=
out=$(api DELETE "/v1/escalations/$id" "${agent[@]}")
[ "$(status_of "$out")" = 200 ] || fail_with "hang up: $out"
expect_idle "the escalation"
