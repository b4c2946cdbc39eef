# The video tests' agent side (sourced after b2bua_lib.sh): $base is the API's URL, agent-a's
# token is "token-a", $agent runs Python with Debian's modules.
auth=(-H 'Authorization: Bearer token-a' -H 'Content-Type: application/json')

# state_of EXPR: a Python expression over escalation $id's record (d), printed.
state_of() {
  curl -s "${auth[@]}" "$base/v1/escalations/$id" | $agent -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# escalate_with_video SOURCE: an escalation with the SIP and video bridges; once its expert has
# answered, SOURCE is added and comes up. Sets $id.
escalate_with_video() {
  curl -s -o "$work/escalate.json" "${auth[@]}" -d '{"id":"m-1","performative":"escalate","sender":"agent-a","payload":{"topic":"camera-3","skills":["cameras"],"reason":"is the belt jammed?","bridges":["sip","video"]}}' \
    "$base/v1/escalations"
  id=$($agent -c "import json; print(json.load(open('$work/escalate.json'))['payload']['escalation'])")
  for _ in $(seq 100); do [ "$(state_of "d['state']")" = answered ] && break; sleep 0.1; done
  [ "$(state_of "d['state']")" = answered ] || fail_with "the expert did not answer"
  [ "$(curl -s -o "$work/video.json" -w '%{http_code}' "${auth[@]}" -d "{\"source\":\"$1\"}" \
    "$base/v1/escalations/$id/video")" = 201 ] || fail_with "$1 was not added: $(cat "$work/video.json")"
  for _ in $(seq 100); do
    [ "$(state_of "d.get('video', [{}])[0].get('state')")" = active ] && return 0
    sleep 0.1
  done
  fail_with "$1 did not come up: $(state_of "d.get('video')")"
}
