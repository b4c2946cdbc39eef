#!/usr/bin/env bash
# Calls through the B2BUA over a lossy network: 10% of UDP packets dropped at random in each
# direction, so that RFC 3261 §17 retransmissions (ours and sipp's) must carry every flow
# through. This kernel has no netem qdisc, so the loss comes from an nftables rule
# (numgen random) on a veth pair between two network namespaces this test creates: Switchboard
# runs in one, the sipp peers in the other, and no packet leaves them.
# Flows: 20 basic calls, 10 calls the callee hangs up, 10 calls cancelled while ringing; after
# them no call, dialog or transaction is left.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/netns_lib.sh"
. "$here/b2bua_lib.sh"
server_pid=
cleanup() {
  set +e # every step must run, whatever failed before
  [ -n "${switchboard_pid:-}" ] && kill -INT "$switchboard_pid" 2>/dev/null
  [ -n "$server_pid" ] && { wait "$server_pid" 2>/dev/null || true; }
  netns_delete
  if [ -n "${KEEP_WORK:-}" ]; then cp -r "$work" /tmp/last-sip_b2bua_loss_test; fi
  rm -rf "$work"
}
on_exit cleanup

sb_ip=10.201.0.1
peer_ip=10.201.0.2
netns_pair loss "$sb_ip" "$peer_ip"
for ns in "$ns_sb" "$ns_peers"; do
  ip netns exec "$ns" nft add table inet loss
  # Dropped on the way in: a drop on the way out would fail the sender's sendto() (EPERM)
  # instead of losing the packet silently as a network does.
  ip netns exec "$ns" nft 'add chain inet loss in { type filter hook input priority 0; }'
  ip netns exec "$ns" nft 'add rule inet loss in meta l4proto udp numgen random mod 10 0 drop'
done
check "namespaces $ns_sb and $ns_peers joined by a veth pair, 10% of UDP dropped each way"

sip_port=5060
bob_port=5090
cat > "$work/switchboard.toml" <<TOML
data_dir = "$work/var"
# RFC 3261's default T1 (500 ms), as sipp uses: with a shorter one our transactions would
# end (64×T1) before sipp's last retransmission, and answer it 481.
[[sip.listen]]
transport = "udp"
address = "$sb_ip"
port = $sip_port
[[routes]]
target = "sip:\${user}@$peer_ip:$bob_port"
TOML
serve_in_sb "$switchboard" 300

# flow NAME CALLS UAC UAS: each side a sipp scenario (-sn for built-in ones, -sf for ours).
flow() {
  local name=$1 calls=$2 uac=$3 uas=$4
  in_peers timeout -k 3 150 sipp $uas -i "$peer_ip" -p "$bob_port" -m "$calls" -nostdin \
    -default_behaviors all,-abortunexp \
    -timeout 120s >"$work/$name-uas.out" 2>&1 &
  local uas_pid=$!
  listening "$ns_peers" "$bob_port"
  in_peers timeout -k 3 150 sipp $uac "$sb_ip:$sip_port" -s bob -i "$peer_ip" -p 5070 \
    -m "$calls" -r 2 -nostdin -timeout 120s -default_behaviors all,-abortunexp \
    >"$work/$name-uac.out" 2>&1 || fail_with "$name: not every call succeeded on the caller side"
  wait "$uas_pid" || fail_with "$name: the callee side failed"
  expect_idle "$name" 45 # 64×T1 = 32 s, then T4
  check "$name: $calls calls with 10% loss, every one completed"
}

flow "basic calls" 20 "-sf $here/scenarios/loss_basic_uac.xml" "-sn uas"
flow "BYE from the callee" 10 "-sf $here/scenarios/call_callee_bye_uac.xml" \
  "-sf $here/scenarios/call_callee_bye_uas.xml"
flow "CANCEL while ringing" 10 "-sf $here/scenarios/loss_cancel_uac.xml" \
  "-sf $here/scenarios/loss_cancel_uas.xml"
grep -o 'retransmissions_sent=[0-9]*' "$work/server.log" | tail -n 1
