#!/usr/bin/env bash
# Finding NDI sources (issue 18), in network and mount namespaces of the test's own: a private
# system bus and Avahi runtime folder, so that nothing of the machine's (its own daemons, if
# any) is touched. A D-Bus system bus and avahi-daemon start there; avahi-publish announces an
# NDI sender as NDI does (_ndi._tcp); `switchboard video sources` lists it through the Avahi
# client library ("via": "avahi"), named as NDI writes it. With the daemon stopped, our own
# querier answers instead (a responder standing for the sender). And with an NDI runtime (the
# stand-in: it proves our side of NDI's interface only), its finder's sources too ("via":
# "ndi"), among them one for the extra IP and one for the Discovery Server of [video], which
# the stand-in names after what it was given: the extra IPs in its finder's settings, the
# Discovery Server from the NDI configuration file that Switchboard wrote (NDI_CONFIG_DIR).
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
write_config <<TOML
$(agent_api "$api_port")
[video]
mdns_interface = "127.0.0.1"
ndi_extra_ips = ["192.0.2.40"]
ndi_discovery_servers = ["192.0.2.9:5959"]
TOML
export NDI_RUNTIME_DIR_V6=/nonexistent # no NDI runtime at first
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
sources() { # VIA [NAME…]: the sender found VIA, named as NDI writes it; then the NAMEs, via ndi
  "$switchboard" video sources --url "http://127.0.0.1:$api_port" --token token-a \
    --agent agent-a --wait 1500 >"$work/sources.json" ||
    fail_with "video sources failed: $(cat "$work/sources.json")"
  $agent - "$work/sources.json" "$@" <<'PY' || fail_with "video sources: $(cat "$work/sources.json")"
import json, sys
d = json.load(open(sys.argv[1]))
found = [(s["name"], s["source"], s["via"]) for s in d["discovered"]]
expected = [("TESTHOST (Cam 1)", "ndi:TESTHOST (Cam 1)", sys.argv[2])]
expected += [(n, "ndi:" + n, "ndi") for n in sys.argv[3:]]
assert found == expected, found
assert d["discovered"][0]["port"] == 5961, d
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

# With an NDI runtime (the stand-in), its finder's sources join the list.
kill -INT "$server_pid" && { wait "$server_pid" || true; }
export NDI_RUNTIME_DIR_V6="$(dirname "$switchboard")/tests/ndi-runtime-0"
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start again"
grep -q '"discovery": "192.0.2.9:5959"' "$work/var/ndi/ndi-config.v1.json" ||
  fail_with "NDI's configuration: $(cat "$work/var/ndi/ndi-config.v1.json" 2>&1)"
sources mdns "TESTHOST (Belt Camera)" "EXTRA (192.0.2.40)" "DISCOVERY (192.0.2.9:5959)"
check "an NDI runtime's finder lists its sources, asking [video]'s extra IP and Discovery Server too"
