#!/usr/bin/env bash
# RFC 3263 server location against a real DNS server (dnsmasq on loopback, answering only for
# the .test domain): a route target whose NAPTR picks TCP and whose SRV names the callee's port;
# a second call answered from the cache; SRV failover on a 503 and on a refused TCP connection;
# a host with only an AAAA record; a host DNS does not know (502). sipp peers at both ends, and
# after each flow no call, dialog or transaction is left.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
stop_all() {
  [ -n "${dns_pid:-}" ] && kill "$dns_pid" 2>/dev/null && wait "$dns_pid" 2>/dev/null
  stop_switchboard
}
on_exit stop_all

sip_port=$(free_port 45000)
dns_port=$(free_port 15000)
tcp_callee=$(free_port 47000)
udp_busy=$(free_port 49000)
udp_callee=$(free_port 51000)
v6_callee=$(free_port 53000)
closed_port=$(free_port 55000) # nothing listens there: a TCP connect is refused

# Records served with a 30 s TTL, so that Switchboard may cache them.
timeout -k 3 150 dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --local=/test/ \
  --listen-address=127.0.0.1 --bind-interfaces --port="$dns_port" --pid-file= --user=root \
  --local-ttl=30 --log-queries --log-facility="$work/dns.log" \
  --naptr-record=naptr.test,10,10,s,SIP+D2T,,_sip._tcp.naptr.test \
  --naptr-record=naptr.test,20,10,s,SIP+D2U,,_sip._udp.naptr.test \
  --srv-host=_sip._tcp.naptr.test,callee.test,"$tcp_callee",0,10 \
  --srv-host=_sip._udp.naptr.test,callee.test,"$udp_callee",0,10 \
  --srv-host=_sip._udp.failover.test,one.test,"$udp_busy",10,10 \
  --srv-host=_sip._udp.failover.test,two.test,"$udp_callee",20,10 \
  --srv-host=_sip._tcp.refused.test,one.test,"$closed_port",10,10 \
  --srv-host=_sip._tcp.refused.test,two.test,"$tcp_callee",20,10 \
  --host-record=callee.test,127.0.0.1 --host-record=one.test,127.0.0.1 \
  --host-record=two.test,127.0.0.1 --host-record=v6.test,::1 &
dns_pid=$!
wait_listening udp "$dns_port" || { cat "$work/dns.log"; exit 1; }

write_config <<TOML
[[sip.listen]]
transport = "tcp"
address = "127.0.0.1"
port = $sip_port
[[sip.listen]]
transport = "udp"
address = "::1"
port = $sip_port
[dns]
servers = ["127.0.0.1:$dns_port"]
timeout_ms = 500
[[routes]]
user = "^naptr\$"
target = "sip:bob@naptr.test"
[[routes]]
user = "^failover\$"
target = "sip:bob@failover.test"
[[routes]]
user = "^refused\$"
target = "sip:bob@refused.test;transport=tcp"
[[routes]]
user = "^v6\$"
target = "sip:bob@v6.test:$v6_callee"
[[routes]]
user = "^unknown\$"
target = "sip:bob@unknown.test"
TOML
start_switchboard "$switchboard"

# callee_on TRANSPORT ADDRESS PORT NAME: the basic callee on TCP or UDP at that address.
callee_on() {
  local flag=u1
  [ "$1" = tcp ] && flag=t1
  timeout -k 3 30 sipp -sf "$here/scenarios/call_basic_uas.xml" -t "$flag" -i "$2" -p "$3" -m 1 \
    -nostdin -timeout 20s -trace_msg -message_file "$work/$4.msg" >"$work/$4.out" 2>&1
}
call_through() { # SERVICE NAME: the basic caller, asking for SERVICE
  caller_service=$1 caller call_basic_uac "$2" || fail_with "$2: the caller failed"
}

# NAPTR says TCP first; its SRV names the TCP callee; the callee is reached over TCP.
for round in 1 2; do
  callee_on tcp 127.0.0.1 "$tcp_callee" "naptr-callee-$round" &
  callee_pid=$!
  wait_listening tcp "$tcp_callee" || fail_with "the TCP callee did not start"
  call_through naptr "naptr-caller-$round"
  wait "$callee_pid" || fail_with "NAPTR → SRV → A (round $round): the callee failed"
  expect_idle "NAPTR → SRV → A (round $round)"
done
grep -q 'query\[NAPTR\] naptr.test' "$work/dns.log" || fail_with "no NAPTR query reached DNS"
[ "$(grep -c 'query\[NAPTR\] naptr.test' "$work/dns.log")" -eq 1 ] ||
  fail_with "the second call did not use the cached answer"
grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' dns_cache_hits=[1-9]' ||
  fail_with "no cache hit counted"
check "NAPTR → SRV (TCP) → A: the call reaches the callee over TCP; the second from the cache"

# SRV priority 10 answers 503; the INVITE moves to priority 20, which answers.
caller_service=failover run_flow "SRV failover on a 503" call_basic_uac \
  dns_overloaded_uas "$udp_busy" call_basic_uas "$udp_callee"
grep 'stats:' "$work/server.log" | tail -n 1 | grep -q ' failovers=1 ' ||
  fail_with "the failover was not counted"
check "SRV failover (RFC 3263 §4.3): priority 10 answers 503, priority 20 takes the call"

# SRV priority 10 refuses the TCP connection; the INVITE moves on at once.
callee_on tcp 127.0.0.1 "$tcp_callee" refused-callee &
callee_pid=$!
wait_listening tcp "$tcp_callee" || fail_with "the TCP callee did not start"
call_through refused refused-caller
wait "$callee_pid" || fail_with "SRV failover on a refused connection: the callee failed"
expect_idle "SRV failover on a refused connection"
check "SRV failover: priority 10 refuses the TCP connection, priority 20 takes the call"

# A host with only an AAAA record: the call goes over IPv6, from our [::1] listener.
callee_on udp ::1 "$v6_callee" v6-callee &
callee_pid=$!
wait_listening udp "$v6_callee" || fail_with "the IPv6 callee did not start"
call_through v6 v6-caller
wait "$callee_pid" || fail_with "AAAA: the callee failed"
grep -q 'Via: SIP/2.0/UDP \[::1\]' "$work/v6-callee.msg" || fail_with "AAAA: no IPv6 Via"
expect_idle "AAAA"
check "a host with only an AAAA record is called over IPv6"

caller_service=unknown run_flow "a host DNS does not know" dns_unknown_host_uac
grep -q 'Bad Gateway (DNS' "$work/dns_unknown_host_uac.msg" ||
  fail_with "the 502 does not say what DNS answered"
check "a host DNS does not know: 502 naming the query"
