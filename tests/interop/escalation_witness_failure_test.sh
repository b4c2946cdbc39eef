#!/usr/bin/env bash
# When the witness log cannot store an entry, every request that needs one is answered at once
# with 503, and what it started is ended: nothing changes, or rings, without its witness entry.
# The failure is real: a trigger added to the SQLite witness table (sqlite3 from Python) makes
# every insert abort, as a full or failing disk would.
#   - POST /v1/experts and DELETE /v1/experts/ID: 503, and the registry is as it was;
#   - an escalation to a sipp expert: 503 within curl's bound (not the API's 30 s timeout), and
#     the INVITE already sent is cancelled, leaving no call, dialog or transaction;
#   - an escalation the policy refuses: 503 too (the refusal could not be witnessed);
#   - once the trigger is dropped, escalations are agreed again.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_all
agent=/usr/bin/python3 # Debian's, with its sqlite3 module

sip_port=$(free_port 41000)
api_port=$(free_port 43000)
slow_port=$(free_port 47000)
media_base=$(( $(free_port 55000) / 2 * 2 ))
cat > "$work/policy.toml" <<TOML
[[rules]]
id = "no-secrets"
effect = "deny"
topics = ["secret*"]
reason = "Nobody escalates secrets."
[[rules]]
id = "agent-a-may-escalate"
effect = "allow"
agents = ["agent-a"]
reason = "agent-a may escalate."
TOML
cat > "$work/experts.json" <<JSON
[
  {"id": "slow", "sipUri": "sip:slow@127.0.0.1:$slow_port", "skills": ["billing"]},
  {"id": "echo", "sipUri": "sip:echo@127.0.0.1:$sip_port", "skills": ["echo"], "maxConcurrent": 100}
]
JSON
write_config <<TOML
[media]
port_min = $media_base
port_max = $(( media_base + 99 ))
[[routes]]
user = "^echo\$"
echo = true
[api]
enabled = true
port = $api_port
[[api.tokens]]
agent = "agent-a"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
admin = true
[escalations]
policy = "$work/policy.toml"
experts = "$work/experts.json"
TOML
start_switchboard "$switchboard"
wait_listening tcp "$api_port" || fail_with "the API did not start"
base="http://127.0.0.1:$api_port"

# request NAME METHOD PATH [BODY]: the status to $work/NAME.status, the body to $work/NAME.json;
# bounded at 10 s, well below the API's own 30 s handler timeout.
request() {
  curl -s --max-time 10 -o "$work/$1.json" -w '%{http_code}' -X "$2" \
    -H 'Authorization: Bearer token-a' -H 'Content-Type: application/json' \
    ${4:+-d "$4"} "$base$3" > "$work/$1.status" || echo "curl failed: $?" >> "$work/$1.json"
}
expect_status() { # NAME STATUS
  [ "$(cat "$work/$1.status")" = "$2" ] ||
    fail_with "$1: status $(cat "$work/$1.status"), expected $2: $(cat "$work/$1.json")"
}
witness_inserts() { # fail|work
  $agent - "$work/var/switchboard.db" "$1" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
if sys.argv[2] == "fail":
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON entries "
               "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
else:
    db.execute("DROP TRIGGER refuse")
db.commit()
PY
}

request before POST /v1/experts '{"id":"bob","sipUri":"sip:bob@127.0.0.1:5999","skills":["tax"]}'
expect_status before 201
witness_inserts fail

request carol POST /v1/experts '{"id":"carol","sipUri":"sip:carol@127.0.0.1:5999"}'
expect_status carol 503
grep -q "witness log could not store" "$work/carol.json" || fail_with "carol: $(cat "$work/carol.json")"
request carol_after GET /v1/experts/carol
expect_status carol_after 404
request delete_bob DELETE /v1/experts/bob
expect_status delete_bob 503
request bob_after GET /v1/experts/bob
expect_status bob_after 200
check "registry changes without a witness entry: 503 and undone (carol absent, bob still there)"

callee call_cancel_uas "$slow_port" slow &
background_pids+=($!)
wait_listening udp "$slow_port" || fail_with "sipp did not start"
request ring POST /v1/escalations \
  '{"id":"m1","performative":"escalate","sender":"agent-a","payload":{"topic":"billing","expert":"slow","reason":"x"}}'
expect_status ring 503
grep -q "not started: the witness log could not store" "$work/ring.json" ||
  fail_with "ring: $(cat "$work/ring.json")"
expect_idle "the unwitnessed escalation"
# The expert's INVITE goes out once the media worker has made the offer, which may be before
# or after the witness log fails: either no INVITE reached the expert, or it was cancelled.
if grep -q "^INVITE " "$work/slow.msg" 2>/dev/null; then
  for pid in "${background_pids[@]}"; do wait "$pid" || fail_with "the expert was not cancelled"; done
  outcome="its INVITE cancelled"
else
  outcome="no INVITE sent"
fi
for pid in "${background_pids[@]}"; do stop_pid "$pid"; done
background_pids=()
check "an escalation without a witness entry: 503 at once, $outcome, nothing left"
request secret POST /v1/escalations \
  '{"id":"m3","performative":"escalate","sender":"agent-a","payload":{"topic":"secret-x","reason":"x"}}'
expect_status secret 503
grep -q "refused: the witness log could not store" "$work/secret.json" ||
  fail_with "secret: $(cat "$work/secret.json")"
check "a refusal that cannot be witnessed: 503 at once"

witness_inserts work
request echo POST /v1/escalations \
  '{"id":"m2","performative":"escalate","sender":"agent-a","payload":{"topic":"demo","expert":"echo","reason":"x"}}'
expect_status echo 201
check "with the witness log writable again, an escalation is agreed"
