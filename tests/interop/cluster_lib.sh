# The cluster tests' instances (sourced after lib.sh, b2bua_lib.sh and postgres_lib.sh; its
# functions run after pg_init): instances of one cluster on $pg_url, each with its SIP on UDP and its API on
# loopback, agents agent-a (who may change the registry) and agent-b (tokens "token-a",
# "token-b"), the policy in
# $work/policy.toml and the experts in $work/experts.json. $agent runs Debian's Python.
instance_pids=()
declare -A api_port
agent=/usr/bin/python3

# start_cluster: the EXIT handler (instances, PostgreSQL, peers), PostgreSQL, and expert alice
# ($work/experts.json) at 127.0.0.1:$expert_port, where the test starts her phone.
start_cluster() {
  on_exit cluster_cleanup
  pg_init
  check "PostgreSQL 15 on port $pg_port"
  expert_port=$(free_port 49000)
  cat > "$work/experts.json" <<JSON
[{"id": "alice", "sipUri": "sip:alice@127.0.0.1:$expert_port", "skills": ["tax"]}]
JSON
}
cluster_cleanup() {
  set +e
  stop_instances
  pg_cleanup
  stop_all
}
token_of() { echo -n "token-$1" | sha256sum | cut -d' ' -f1; }
start_instance() { # NAME: instance sb-NAME, its API on api_port[NAME]
  local dir=$work/$1 sip_port
  sip_port=$(free_port 41000)
  api_port[$1]=$(free_port 43000)
  mkdir -p "$dir"
  cat > "$dir/switchboard.toml" <<TOML
data_dir = "$dir/var"
[[sip.listen]]
transport = "udp"
address = "127.0.0.1"
port = $sip_port
[h323]
enabled = false
[api]
enabled = true
port = ${api_port[$1]}
[[api.tokens]]
agent = "agent-a"
sha256 = "$(token_of a)"
admin = true
[[api.tokens]]
agent = "agent-b"
sha256 = "$(token_of b)"
[escalations]
storage = "$pg_url"
instance = "sb-$1"
policy = "$work/policy.toml"
experts = "$work/experts.json"
ring_seconds = 3
TOML
  timeout -k 3 100 "$switchboard" serve --config "$dir/switchboard.toml" >>"$dir/server.log" 2>&1 &
  instance_pids+=($!)
  wait_listening tcp "${api_port[$1]}" 20 || fail_with "instance $1 did not start: $(tail -3 "$dir/server.log")"
}
stop_instances() {
  for pid in "${instance_pids[@]}"; do kill -INT "$pid" 2>/dev/null; done
  for pid in "${instance_pids[@]}"; do wait "$pid" 2>/dev/null; done
}

escalate() { # INSTANCE AGENT N: the answer's status, its body in $work/escalate-N.json
  # (to expert alice, or as $payload says)
  local asked=${payload:-'{"topic":"tax","expert":"alice","reason":"VAT"}'}
  curl -s -o "$work/escalate-$3.json" -w '%{http_code}' \
    -H "Authorization: Bearer token-$2" -H 'Content-Type: application/json' \
    -d "{\"id\":\"m-$3\",\"performative\":\"escalate\",\"sender\":\"agent-$2\",\"payload\":$asked}" \
    "http://127.0.0.1:${api_port[$1]}/v1/escalations"
}
field() { # N EXPR: a Python expression over escalate-N.json (d)
  $agent -c "import json; d=json.load(open('$work/escalate-$1.json')); print($2)"
}
record() { # INSTANCE AGENT ID EXPR
  curl -s -H "Authorization: Bearer token-$2" "http://127.0.0.1:${api_port[$1]}/v1/escalations/$3" |
    $agent -c "import json,sys; d=json.load(sys.stdin); print($4)"
}
wait_state() { # INSTANCE AGENT ID STATE
  for _ in $(seq 100); do [ "$(record "$1" "$2" "$3" "d['state']")" = "$4" ] && return 0; sleep 0.1; done
  fail_with "escalation $3 on $1 is $(record "$1" "$2" "$3" "d['state']"), not $4"
}

