#!/usr/bin/env bash
# Monitoring with the real tools (issue 19): a real Prometheus scrapes a real Switchboard, whose
# witness log is on a real PostgreSQL, and evaluates deploy/prometheus/switchboard-alerts.yml;
# what fires goes to a real Alertmanager, whose webhook this test catches. The rules are the
# shipped ones with each `for:` cut to a second (the expressions are what is tested; their
# durations are promtool's to test, tests/prometheus/alerts_test.yml).
#   - /metrics passes `promtool check metrics`;
#   - two escalations answered by a sipp expert, then the expert's phone stops answering:
#     three escalations fail, and EscalationsFailing reaches the webhook;
#   - PostgreSQL is stopped: the witness store's check fails within seconds, and
#     WitnessStoreDown (backend "postgresql") reaches the webhook; started again, the instance
#     reconnects by itself, is ready again, takes escalations, and its log, checked against a
#     head signed before the stop, has lost nothing (`switchboard witness verify --since`);
#   - SwitchboardDown never does (the gateway stayed up);
#   - every query of every panel of deploy/grafana/switchboard-dashboard.json returns data.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/postgres_lib.sh"
cleanup() {
  set +e
  pg_cleanup
  stop_all
}
on_exit cleanup
agent=/usr/bin/python3

sip_port=$(free_port 41000)
tls_port=$(free_port 41500)
api_port=$(free_port 43000)
expert_port=$(free_port 49000)
prom_port=$(free_port 46000)
am_port=$(free_port 47000)
hook_port=$(free_port 48000)

pg_init
check "PostgreSQL 15 on port $pg_port"

agents_may_escalate
cat > "$work/experts.json" <<JSON
[{"id": "bob", "sipUri": "sip:bob@127.0.0.1:$expert_port", "skills": ["tax"]}]
JSON
write_config <<TOML
[[sip.listen]]
transport = "tls"
address = "127.0.0.1"
port = $tls_port
$(agent_api "$api_port")
[escalations]
storage = "$pg_url"
policy = "$work/policy.toml"
experts = "$work/experts.json"
ring_seconds = 2
TOML
SB_SERVE_SECONDS=170 start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"

curl -sf "$base/metrics" >"$work/metrics.txt" || fail_with "no /metrics"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1 ||
  fail_with "promtool check metrics: $(cat "$work/promtool.out")"
check "/metrics passes promtool check metrics ($(grep -c '^# TYPE' "$work/metrics.txt") families)"

# The webhook Alertmanager calls: each alert of each notification, a line.
cat > "$work/hook.py" <<'PY'
import http.server, json, sys
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(sys.argv[2], "a") as out:
            for alert in body["alerts"]:
                out.write(f'{alert["status"]} {alert["labels"]["alertname"]} {json.dumps(alert["labels"], sort_keys=True)}\n')
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
touch "$work/alerts.log"
timeout -k 3 160 python3 "$work/hook.py" "$hook_port" "$work/alerts.log" &
background_pids+=($!)

cat > "$work/alertmanager.yml" <<YML
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{url: "http://127.0.0.1:$hook_port/", send_resolved: false}]
YML
timeout -k 3 160 prometheus-alertmanager --config.file="$work/alertmanager.yml" \
  --storage.path="$work/alertmanager" --web.listen-address="127.0.0.1:$am_port" \
  --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
background_pids+=($!)

sed -E 's/^( +)for: .*/\1for: 1s/' "$root/deploy/prometheus/switchboard-alerts.yml" \
  >"$work/alerts.yml"
cat > "$work/prometheus.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$work/alerts.yml"]
alerting:
  alertmanagers: [{static_configs: [{targets: ["127.0.0.1:$am_port"]}]}]
scrape_configs:
  - job_name: switchboard
    static_configs: [{targets: ["127.0.0.1:$api_port"]}]
YML
timeout -k 3 160 prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/prometheus" --web.listen-address="127.0.0.1:$prom_port" \
  >"$work/prometheus.log" 2>&1 &
background_pids+=($!)
wait_listening tcp "$am_port" 20 || fail_with "Alertmanager did not start"
wait_listening tcp "$prom_port" 20 || fail_with "Prometheus did not start"
query() { # PROMQL: the result vector's values, one a line
  curl -sf --get --data-urlencode "query=$1" "http://127.0.0.1:$prom_port/api/v1/query" |
    $agent -c 'import json,sys; [print(r["value"][1]) for r in json.load(sys.stdin)["data"]["result"]]'
}
for _ in $(seq 100); do [ "$(query 'up{job="switchboard"}')" = 1 ] && break; sleep 0.2; done
[ "$(query 'up{job="switchboard"}')" = 1 ] || fail_with "Prometheus does not scrape Switchboard"
check "Prometheus scrapes Switchboard; Alertmanager sends to the test's webhook"

auth=(-H 'Authorization: Bearer token-a' -H 'Content-Type: application/json')
escalate() { # N: an escalation's id
  curl -s "${auth[@]}" -d "{\"id\":\"m-$1\",\"performative\":\"escalate\",\"sender\":\"agent-a\",\"payload\":{\"topic\":\"tax\",\"expert\":\"bob\",\"reason\":\"VAT\"}}" \
    "$base/v1/escalations" | $agent -c 'import json,sys; print(json.load(sys.stdin)["payload"]["escalation"])'
}
state_of() {
  curl -s "${auth[@]}" "$base/v1/escalations/$1" | $agent -c 'import json,sys; print(json.load(sys.stdin)["state"])'
}
wait_state() { # ID STATE
  for _ in $(seq 100); do [ "$(state_of "$1")" = "$2" ] && return 0; sleep 0.1; done
  fail_with "escalation $1 is $(state_of "$1"), not $2"
}

timeout -k 3 60 sipp -sn uas -i 127.0.0.1 -p "$expert_port" -nostdin -timeout 50s \
  >"$work/sipp.out" 2>&1 &
sipp_pid=$!
background_pids+=("$sipp_pid")
wait_listening udp "$expert_port" || fail_with "sipp did not start"
for n in 1 2; do
  id=$(escalate "$n")
  wait_state "$id" answered
  curl -s -o /dev/null -X DELETE "${auth[@]}" "$base/v1/escalations/$id"
done
stop_pid "$sipp_pid"
for n in 3 4 5; do
  id=$(escalate "$n")
  wait_state "$id" failed
done
check "two escalations answered; the expert's phone stopped answering, and three failed"
wait_for_text "$work/alerts.log" '^firing EscalationsFailing ' 30 ||
  fail_with "EscalationsFailing did not reach the webhook: $(cat "$work/alerts.log")"
check "EscalationsFailing reached Alertmanager's webhook"

witness() { "$switchboard" witness "$@" --url "$base" --token token-a --agent agent-a; }
witness head >"$work/head-before.json" || fail_with "no signed head: $(cat "$work/head-before.json")"
pg_stop
wait_for_text "$work/alerts.log" '^firing WitnessStoreDown .*"backend": "postgresql"' 30 ||
  fail_with "WitnessStoreDown did not reach the webhook: $(cat "$work/alerts.log")"
grep -q "the witness store does not answer" "$work/server.log" ||
  fail_with "Switchboard did not log the store's silence"
curl -s -o /dev/null -w '%{http_code}' "$base/readyz" | grep -qx 503 ||
  fail_with "/readyz does not say 503 while the store is down"
check "PostgreSQL stopped: /readyz 503, and WitnessStoreDown reached the webhook"

pg_start
wait_for_text "$work/server.log" "the witness store answers again" 20 ||
  fail_with "Switchboard did not reconnect to PostgreSQL"
curl -s -o /dev/null -w '%{http_code}' "$base/readyz" | grep -qx 200 ||
  fail_with "/readyz does not say 200 once the store answers again"
id=$(escalate 6) || fail_with "no escalation after PostgreSQL came back"
witness verify --since "$work/head-before.json" --quiet >"$work/verify.out" 2>&1 ||
  fail_with "the witness log does not hold since the head before the stop: $(cat "$work/verify.out")"
check "PostgreSQL started again: reconnected, ready, escalation $id taken, and the log lost nothing ($(tail -n 1 "$work/verify.out"))"

# Every panel's every query returns data (with the store down: the gateway answers still).
$agent - "$root/deploy/grafana/switchboard-dashboard.json" "$prom_port" <<'PY' ||
import json, sys, urllib.parse, urllib.request
dashboard = json.load(open(sys.argv[1]))
empty = []
queries = 0
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        queries += 1
        url = f"http://127.0.0.1:{sys.argv[2]}/api/v1/query?" + urllib.parse.urlencode({"query": target["expr"]})
        answer = json.load(urllib.request.urlopen(url))
        if answer["status"] != "success" or not answer["data"]["result"]:
            empty.append(f'{panel["title"]}: {target["expr"]}')
if empty:
    sys.exit("no data for:\n  " + "\n  ".join(empty))
print(f"{len(dashboard['panels'])} panels, {queries} queries, each with data")
PY
  fail_with "the dashboard's queries"
check "every query of the Grafana dashboard returns data from this Prometheus"
if grep -q "SwitchboardDown" "$work/alerts.log"; then fail_with "SwitchboardDown fired"; fi
check "alerts received: $(cut -d' ' -f1,2 "$work/alerts.log" | sort -u | tr '\n' ',' | sed 's/,$//')"
