# The scripted H.323 peer (h323_peer.erl) for the interop tests: Erlang's ASN.1 modules from
# the subsets in tests/vectors/per, then the peer. Built once per version of its sources, in a
# folder of /tmp named by their hash (built aside, then renamed into place, so that tests
# running at once never see half of it), as tests/support/h323_peer.hpp does for the C++ tests.
# The test sets $here (this folder), $work (its scratch folder) and $switchboard, and uses
# lib.sh and b2bua_lib.sh.

h323_peer_dir=
build_h323_peer() {
  local vectors="$here/../vectors/per" sum aside
  sum=$(cat "$vectors/H225Subset.asn1" "$vectors/H245Subset.asn1" "$here/h323_peer.erl" |
    sha256sum | cut -c1-16)
  h323_peer_dir=/tmp/sb-h323-peer-sh-$sum
  [ -f "$h323_peer_dir/h323_peer.beam" ] && return 0
  aside=$h323_peer_dir.$$
  mkdir -p "$aside"
  (cd "$aside" && erlc -bper "$vectors/H225Subset.asn1" "$vectors/H245Subset.asn1" &&
    erlc -I . "$here/h323_peer.erl") >"$work/h323_peer_build.log" 2>&1 || return 1
  mv -T "$aside" "$h323_peer_dir" 2>/dev/null || rm -rf "$aside" # another test got there first
}

# h323_peer SCENARIO PORT NAME [GK_PORT ALIAS]: runs the peer (bounded: 60 s) for SCENARIO
# against (or, for the call-out scenarios, listening on) 127.0.0.1:PORT, registered first as
# ALIAS with the gatekeeper at 127.0.0.1:GK_PORT if one is given; what it says goes to
# $work/NAME.out.
h323_peer() {
  local gatekeeper=()
  [ $# -ge 5 ] && gatekeeper=(127.0.0.1 "$4" "$5")
  (cd "$h323_peer_dir" && timeout -k 3 60 erl -noshell -pa . -s h323_peer main "$1" 127.0.0.1 \
    "$2" "${gatekeeper[@]}" -s init stop) >"$work/$3.out" 2>&1
}

# gateway_switchboard H323_PORT TARGET: switchboard as a gateway (40 RTP ports, [h323] on
# H323_PORT, 0 for any, and a route sending 2xxx to TARGET, "${user}" standing for the number),
# started, with the capture of its traffic (capture_start).
gateway_switchboard() {
  local media_base
  media_base=$(( $(free_port 54000) / 2 * 2 ))
  write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 39 ))
[h323]
enabled = true
port = $1
[[routes]]
user = "^2[0-9]{3}\$"
target = "$2"
TOML
  start_switchboard "$switchboard"
  capture_start
}

# expect_gateway_idle NAME: nothing of the call is left (expect_idle), the H.323 side's and
# the rooms' included.
expect_gateway_idle() {
  expect_idle "$1"
  local line
  line=$(fresh_stats)
  [[ $line == *" h323_calls=0 "* && $line == *" conference_rooms=0 "* ]] ||
    fail_with "$1: not idle: $line"
}

# in_own_namespace "$@": re-runs the test in a network namespace of its own (only its loopback),
# so that a capture there holds this test's packets alone.
in_own_namespace() {
  [ -n "${SB_OWN_NETNS:-}" ] && { ip link set lo up; return 0; }
  exec env SB_OWN_NETNS=1 unshare --map-root-user --net -- bash "$0" "$@"
}

# capture_start: every packet on loopback to $work/capture.pcap, until capture_check.
capture_start() {
  dumpcap -q -P -i lo -w "$work/capture.pcap" >"$work/dumpcap.log" 2>&1 &
  capture_pid=$!
  background_pids+=("$capture_pid")
  local deadline=$((SECONDS + 5)) # it writes the file's header once it captures
  until [ -s "$work/capture.pcap" ]; do
    [ $SECONDS -lt $deadline ] || fail_with "dumpcap did not start"
    sleep 0.05
  done
}

# capture_check: stops the capture; tshark (which finds TPKT on any TCP port by its heuristic:
# H.225.0 call signalling, with tunnelled H.245 and fastStart inside) must find H.225.0 and
# H.245 messages, and no H.323 packet malformed or undecoded. Prints what it counted.
capture_check() {
  sleep 0.5
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
  local h225 h245 bad
  h225=$(tshark -r "$work/capture.pcap" -Y h225 2>/dev/null | wc -l)
  h245=$(tshark -r "$work/capture.pcap" -Y h245 2>/dev/null | wc -l)
  bad=$(tshark -r "$work/capture.pcap" -Y '(tpkt || q931 || h225 || h245) &&
    (_ws.malformed || _ws.expert.group == 83886080)' 2>/dev/null)
  [ "$h225" -gt 0 ] && [ "$h245" -gt 0 ] ||
    fail_with "tshark found $h225 H.225.0 and $h245 H.245 messages in the capture"
  [ -z "$bad" ] || fail_with "tshark finds malformed H.323 messages: $bad"
  echo "tshark read $h225 H.225.0 and $h245 H.245 messages, none malformed"
}
