# The WebRTC bridge's tests: Switchboard in one network namespace with its API on the veth
# address and the echo expert (its own echo test, a SIP call that stays up), the peers in the
# other (ICE skips loopback), and the agent's side as curl in the peers' namespace. Sourced
# after lib.sh, with $switchboard, $here and $name (the test's, for KEEP_WORK) set.

work=$(mktemp -d)
. "$here/netns_lib.sh"
. "$here/b2bua_lib.sh"
server_pid=
peer_pid=
cleanup() {
  set +e
  stop_pid "$peer_pid"
  [ -n "${switchboard_pid:-}" ] && kill -INT "$switchboard_pid" 2>/dev/null
  [ -n "$server_pid" ] && { wait "$server_pid" 2>/dev/null || true; }
  netns_delete
  if [ -n "${KEEP_WORK:-}" ]; then cp -r "$work" "/tmp/last-$name"; fi
  rm -rf "$work"
}
on_exit cleanup
python=/usr/bin/python3
browser_dir=$(cd "$here/../browser" && pwd)
# need_browser: headless Chromium's driver (playwright-core from npm, in tests/browser).
need_browser() {
  [ -d "$browser_dir/node_modules/playwright-core" ] ||
    fail_with "playwright-core is not installed in tests/browser (scripts/install-deps does it)"
}

# webrtc_gateway TAG SB_IP PEER_IP SECONDS: the namespaces, and Switchboard serving in them.
# The expert is the echo test, or $expert_uri when the test sets it (a phone in $ns_sb).
webrtc_gateway() {
  sb_ip=$2
  peer_ip=$3
  netns_pair "$1" "$sb_ip" "$peer_ip"
  sip_port=5060
  api_port=8080
  cat > "$work/experts.json" <<JSON
[{"id": "echo", "sipUri": "${expert_uri:-sip:echo@127.0.0.1:$sip_port}", "skills": ["echo"], "maxConcurrent": 10}]
JSON
  cat > "$work/policy.toml" <<TOML
[[rules]]
id = "agent-a-webrtc"
effect = "allow"
agents = ["agent-a"]
bridges = ["sip", "webrtc"]
reason = "agent-a may bring a browser in."
TOML
  write_config <<TOML
[[routes]]
user = "^echo\$"
echo = true
[api]
enabled = true
address = "$sb_ip"
port = $api_port
[[api.tokens]]
agent = "agent-a"
sha256 = "$(echo -n token-a | sha256sum | cut -d' ' -f1)"
admin = true
[[api.tokens]]
agent = "agent-b"
sha256 = "$(echo -n token-b | sha256sum | cut -d' ' -f1)"
[escalations]
experts = "$work/experts.json"
policy = "$work/policy.toml"
TOML
  serve_in_sb "$switchboard" "$4"
  # The API starts after SIP: wait for it too.
  local deadline=$((SECONDS + 20))
  until in_sb ss -Hltn "sport = :$api_port" | grep -q .; do
    [ $SECONDS -lt $deadline ] || fail_with "the API did not start: $(tail -5 "$work/server.log")"
    sleep 0.05
  done
  base="http://$sb_ip:$api_port"
}

api() { # METHOD PATH [curl options…]: the status, then the body, to stdout
  local method=$1 path=$2
  shift 2
  in_peers curl -s -X "$method" -w '\n%{http_code}' "$@" "$base$path"
}
status_of() { tail -n 1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }
field() { $python -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }
agent=(-H 'Authorization: Bearer token-a')

escalate() { # TOPIC: the new escalation's id
  local out
  out=$(api POST /v1/escalations "${agent[@]}" -H 'Content-Type: application/json' \
    -d "{\"id\":\"m-$1\",\"performative\":\"escalate\",\"sender\":\"agent-a\",\"payload\":{\"topic\":\"$1\",\"skills\":[\"echo\"],\"reason\":\"webrtc\",\"bridges\":[\"sip\",\"webrtc\"]}}")
  [ "$(status_of "$out")" = 201 ] || fail_with "escalate: $out"
  field "$(body_of "$out")" 'd["payload"]["escalation"]'
}
escalation() { body_of "$(api GET "/v1/escalations/$1" "${agent[@]}")"; }
wait_until() { # SECONDS PYTHON-EXPRESSION-ON-d ID: polls the escalation
  local deadline=$((SECONDS + $1))
  until [ "$(field "$(escalation "$3")" "$2")" = True ]; do
    [ $SECONDS -lt $deadline ] || fail_with "not within $1 s: $2: $(escalation "$3")"
    sleep 0.2
  done
}
# grant ID: a grant for the expert's browser (prints it).
grant() {
  local out
  out=$(api POST "/v1/escalations/$1/grants" "${agent[@]}")
  [ "$(status_of "$out")" = 201 ] || fail_with "grant: $out"
  field "$(body_of "$out")" 'd["grant"]'
}
