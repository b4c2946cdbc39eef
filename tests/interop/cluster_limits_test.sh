#!/usr/bin/env bash
# Two Switchboard instances of one cluster ([escalations] instance) on one PostgreSQL: the
# guard's rate limits and caps hold across the cluster, not per process (issue 19), and a
# dead instance's escalations stop counting once its database session is gone.
#   - agent-a may escalate twice an hour (a bucket of 2), expert alice take one escalation
#     at a time (a cap of 1); alice's phone is sipp, which answers and holds.
#   - on A, agent-a's escalation to alice is answered; on B, agent-a's second is agreed but
#     alice is refused by her cap (busy on A), so it fails; on B, agent-a's third is refused
#     429 by the bucket that A and B emptied together. B alone would have allowed both (its
#     own bucket had a token left, its own count of alice was 0).
#   - A is killed (SIGKILL) with alice's call up: within B's sweep (1 s) her count is
#     forgotten, and agent-b's escalation on B rings her and is answered.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
. "$here/postgres_lib.sh"
. "$here/cluster_lib.sh"
start_cluster
cat > "$work/policy.toml" <<TOML
[[rules]]
id = "agents-may-escalate"
effect = "allow"
agents = ["agent-*"]
[[limits]]
id = "agent-a-hourly"
agents = ["agent-a"]
rate = 2
per_seconds = 3600
burst = 2
[[limits]]
id = "one-at-a-time"
experts = ["alice"]
max_concurrent = 1
TOML
start_instance a
a_pid=$(pgrep -P "${instance_pids[0]}")
start_instance b
grep -q "cluster: instance sb-b" "$work/b/server.log" ||
  fail_with "instance b is not in the cluster: $(tail -3 "$work/b/server.log")"

timeout -k 3 60 sipp -sn uas -i 127.0.0.1 -p "$expert_port" -nostdin -timeout 50s \
  >"$work/sipp.out" 2>&1 &
background_pids+=($!)
wait_listening udp "$expert_port" || fail_with "sipp did not start"

[ "$(escalate a a 1)" = 201 ] || fail_with "A refused the first escalation: $(cat "$work/escalate-1.json")"
first=$(field 1 "d['payload']['escalation']")
wait_state a a "$first" answered
check "on A, agent-a's escalation $first is answered by alice"

[ "$(escalate b a 2)" = 201 ] || fail_with "B refused agent-a's second escalation: $(cat "$work/escalate-2.json")"
second=$(field 2 "d['payload']['escalation']")
wait_state b a "$second" failed
reason=$(record b a "$second" "d['reason']")
case $reason in *"could be called"*) ;; *) fail_with "the second failed for another reason: $reason" ;; esac
check "on B, agent-a's second is agreed, and alice's cap (busy on A) keeps her from being rung: $reason"

status=$(escalate b a 3)
[ "$status" = 429 ] || fail_with "B answered agent-a's third with $status: $(cat "$work/escalate-3.json")"
[ "$(field 3 "d['rule']")" = agent-a-hourly ] || fail_with "the third was refused by $(field 3 "d['rule']")"
check "on B, agent-a's third is refused 429 by agent-a-hourly, emptied by A and B together: $(field 3 "d['detail']")"

kill -KILL "$a_pid"
killed=$(date +%s.%N)
[ "$(escalate b b 4)" = 201 ] || fail_with "B refused agent-b: $(cat "$work/escalate-4.json")"
fourth=$(field 4 "d['payload']['escalation']")
# Until B's sweep forgets A's count, alice's cap refuses; agent-b asks again until it is rung.
n=4
while [ "$(record b b "$fourth" "d['state']")" != answered ]; do
  wait_state b b "$fourth" failed
  n=$((n + 1))
  [ "$n" -le 40 ] || fail_with "alice's count on the dead A was never forgotten"
  sleep 0.2
  [ "$(escalate b b "$n")" = 201 ] || fail_with "B refused agent-b: $(cat "$work/escalate-$n.json")"
  fourth=$(field "$n" "d['payload']['escalation']")
  for _ in $(seq 30); do
    case $(record b b "$fourth" "d['state']") in answered | failed) break ;; esac
    sleep 0.1
  done
done
freed=$(date +%s.%N)
grep -q "forgot [0-9]* count(s) of instances that are gone" "$work/b/server.log" ||
  fail_with "B did not log the sweep"
check "A killed with alice's call up: her count forgotten, and on B agent-b's escalation $fourth answered $($agent -c "print(f'{$freed - $killed:.1f}')") s later ($((n - 3)) asked)"
