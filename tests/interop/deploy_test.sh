#!/usr/bin/env bash
# The deployment files (issue 19) as their own tools read them: the systemd unit by
# `systemd-analyze verify` (not a word of complaint), the Compose file by `docker-compose
# config`, Kamailio's configuration by `kamailio -c` with each dispatcher list, the Kubernetes
# manifests against Kubernetes' API schema (k8s_schema.py), and every Switchboard
# configuration shipped (the Kubernetes Secret's too) by `switchboard serve --check`.
set -euo pipefail
switchboard=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
deploy=$(cd "$here/../../deploy" && pwd)
. "$here/lib.sh"
work=$(mktemp -d)
on_exit 'rm -rf "$work"'
fail_with() { echo "FAIL: $*"; exit 1; }

# The unit names the installed binary; verify checks that it exists, so it gets ours.
sed "s|/usr/local/bin/switchboard|$switchboard|" "$deploy/systemd/switchboard.service" \
  >"$work/switchboard.service"
systemd-analyze verify "$work/switchboard.service" >"$work/verify.out" 2>&1 ||
  fail_with "systemd-analyze verify: $(cat "$work/verify.out")"
[ ! -s "$work/verify.out" ] || fail_with "systemd-analyze verify warns: $(cat "$work/verify.out")"
check "systemd-analyze verify: the unit is clean"

docker-compose -f "$deploy/compose/docker-compose.yml" config -q >"$work/compose.out" 2>&1 ||
  fail_with "docker-compose config: $(cat "$work/compose.out")"
check "docker-compose config: the Compose file is valid"

for list in "$deploy/kamailio/dispatcher.list" "$deploy/compose/dispatcher.list"; do
  kamailio -c -f "$deploy/kamailio/kamailio.cfg" -A "DISPATCHER_LIST=\"$list\"" \
    >"$work/kamailio.out" 2>&1 || fail_with "kamailio -c with $list: $(grep -E 'ERROR|CRITICAL' "$work/kamailio.out")"
done
check "kamailio -c: the dispatcher configuration loads, with both lists"

/usr/bin/python3 "$here/k8s_schema.py" "$deploy"/kubernetes/*.yaml >"$work/k8s.out" 2>&1 ||
  fail_with "the Kubernetes manifests: $(cat "$work/k8s.out")"
check "Kubernetes manifests: $(cat "$work/k8s.out")"

/usr/bin/python3 - "$deploy/kubernetes/switchboard.yaml" "$work/k8s-switchboard.toml" <<'PY'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    if doc and doc["kind"] == "Secret":
        open(sys.argv[2], "w").write(doc["stringData"]["switchboard.toml"])
PY
for config in "$deploy/switchboard.toml" "$deploy"/compose/switchboard-*.toml \
  "$work/k8s-switchboard.toml"; do
  "$switchboard" serve --check --config "$config" >"$work/check.out" 2>&1 ||
    fail_with "switchboard serve --check $config: $(cat "$work/check.out")"
done
check "switchboard serve --check: every shipped configuration is good"
