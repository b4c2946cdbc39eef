# Two network namespaces joined by a veth pair, for tests that need addresses other than
# loopback (needs root, as CI has). Switchboard runs in $ns_sb, the peers in $ns_peers, and no
# packet leaves them. Namespaces left by a killed run (its pid is in their names) go first.

# netns_pair TAG SB_IP PEER_IP: creates the pair (TAG: a few letters naming the test).
netns_pair() {
  local tag=$1 stale pid
  for stale in $(ip netns list | grep -o "^sb$tag-[0-9]*-[a-z]*"); do
    pid=${stale#"sb$tag"-}
    kill -0 "${pid%%-*}" 2>/dev/null || ip netns del "$stale" 2>/dev/null || true
  done
  ns_sb=sb$tag-$$-sb
  ns_peers=sb$tag-$$-peers
  ip netns add "$ns_sb"
  ip netns add "$ns_peers"
  ip link add "sb$tag$$a" type veth peer name "sb$tag$$b"
  ip link set "sb$tag$$a" netns "$ns_sb"
  ip link set "sb$tag$$b" netns "$ns_peers"
  ip -n "$ns_sb" addr add "$2/24" dev "sb$tag$$a"
  ip -n "$ns_peers" addr add "$3/24" dev "sb$tag$$b"
  for ns in "$ns_sb" "$ns_peers"; do ip -n "$ns" link set lo up; done
  ip -n "$ns_sb" link set "sb$tag$$a" up
  ip -n "$ns_peers" link set "sb$tag$$b" up
}

netns_delete() {
  ip netns del "$ns_sb" 2>/dev/null || true
  ip netns del "$ns_peers" 2>/dev/null || true
}

in_sb() { ip netns exec "$ns_sb" "$@"; }
in_peers() { ip netns exec "$ns_peers" "$@"; }
listening() { # NAMESPACE PORT
  local deadline=$((SECONDS + 10))
  until ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q .; do
    [ $SECONDS -lt $deadline ] || { echo "nothing on UDP $2 in $1" >&2; return 1; }
    sleep 0.05
  done
}

# serve_in_sb SWITCHBOARD SECONDS: `switchboard serve` with $work/switchboard.toml in $ns_sb,
# bounded, once its UDP port $sip_port listens. Sets $server_pid and, since SIGUSR1 must reach
# switchboard itself (below ip netns exec and timeout), $switchboard_pid.
serve_in_sb() {
  in_sb timeout -k 3 "$2" "$1" serve --config "$work/switchboard.toml" \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  listening "$ns_sb" "$sip_port" || { cat "$work/server.log"; exit 1; }
  switchboard_pid=$(pgrep -f "serve --config $work/switchboard.toml" | tail -n 1)
}
