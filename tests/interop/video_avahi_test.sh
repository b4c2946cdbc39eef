#!/usr/bin/env bash
# NDI sources found through the Avahi daemon (issue 18), in network and mount namespaces of the
# test's own: a private system bus and Avahi runtime folder, so that nothing of the machine's
# (its own daemons, if any) is touched. A D-Bus system bus and avahi-daemon start there;
# avahi-publish announces an NDI sender as NDI does (_ndi._tcp); `switchboard video sources`
# lists it through the Avahi client library ("via": "avahi"), named as NDI writes it. With the
# daemon stopped, our own querier answers instead (a responder standing for the sender).
set -euo pipefail
if [ -z "${SB_AVAHI_NAMESPACE:-}" ]; then
  exec env SB_AVAHI_NAMESPACE=1 unshare --mount --net --fork bash "$0" "$@"
fi
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
daemons() {
  avahi-daemon -k 2>/dev/null || true
  [ -n "${bus_pid:-}" ] && kill "$bus_pid" 2>/dev/null || true
}
on_exit "daemons; stop_all"
agent=/usr/bin/python3

ip link set lo up
mount -t tmpfs tmpfs /run/dbus 2>/dev/null || { mkdir -p /run/dbus && mount -t tmpfs tmpfs /run/dbus; }
mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon
bus_pid=$(dbus-daemon --system --fork --print-pid)
avahi-daemon --no-drop-root --no-chroot -D || fail_with "avahi-daemon did not start"
for _ in $(seq 50); do avahi-daemon -c 2>/dev/null && break; sleep 0.1; done
avahi-publish -s "TESTHOST (Cam 1)" _ndi._tcp 5961 groups=public >"$work/publish.out" 2>&1 &
background_pids+=($!)
wait_for_text "$work/publish.out" "Established" 10 || fail_with "avahi-publish did not announce"
check "a D-Bus system bus and avahi-daemon in the test's namespaces; avahi-publish announces an NDI sender"

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
hash() { echo -n "$1" | sha256sum | cut -d' ' -f1; }
write_config <<TOML
[api]
enabled = true
port = $api_port
[[api.tokens]]
agent = "agent-a"
sha256 = "$(hash token-a)"
[video]
mdns_interface = "127.0.0.1"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
sources() { # VIA: the one source discovered, named as NDI writes it, found VIA
  "$switchboard" video sources --url "http://127.0.0.1:$api_port" --token token-a \
    --agent agent-a --wait 1500 >"$work/sources.json" ||
    fail_with "video sources failed: $(cat "$work/sources.json")"
  $agent - "$work/sources.json" "$1" <<'PY' || fail_with "video sources: $(cat "$work/sources.json")"
import json, sys
d = json.load(open(sys.argv[1]))
found = [(s["name"], s["source"], s["port"], s["via"]) for s in d["discovered"]]
assert found == [("TESTHOST (Cam 1)", "ndi:TESTHOST (Cam 1)", 5961, sys.argv[2])], found
PY
}
sources avahi
check "video sources: the sender, through the Avahi client library, as NDI names it"

avahi-daemon -k
for _ in $(seq 50); do avahi-daemon -c 2>/dev/null || break; sleep 0.1; done
python3 "$here/mdns_responder.py" "TESTHOST (Cam 1)" 5961 20 >"$work/responder.out" 2>&1 &
background_pids+=($!)
wait_for_text "$work/responder.out" listening 10 || fail_with "the mDNS responder did not start"
sources mdns
check "no Avahi daemon: our own querier finds the sender"
