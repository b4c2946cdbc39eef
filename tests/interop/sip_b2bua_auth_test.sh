#!/usr/bin/env bash
# Digest authentication at both edges of the B2BUA (RFC 3261 §22, RFC 8760), with sipp:
#   - a caller is challenged (401), answers, and its call goes through;
#   - the callee challenges Switchboard, which answers with the credentials configured for the
#     callee's realm, and sipp verifies them (verifyauth);
#   - a caller with the wrong password gets 401 again, then 403 once its failures exceed the
#     per-source allowance.
# sipp 3.6.1 computes MD5 only, so this test offers MD5; SHA-256 is covered by the unit tests.
set -euo pipefail
switchboard=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

work=$(mktemp -d)
. "$here/b2bua_lib.sh"
on_exit stop_switchboard

sip_port=$(free_port 41000)
bob_port=$(free_port 43000)
write_config <<TOML
[[routes]]
target = "sip:\${user}@127.0.0.1:$bob_port"
[auth]
challenge_inbound = true
algorithms = ["MD5"]
failures_burst = 1
failures_refill_s = 600
[[auth.users]]
username = "alice"
password = "secret"
[[auth.credentials]]
realm = "callee.example"
username = "sb"
password = "pw"
TOML

start_switchboard "$switchboard"

run_flow "401 from us answered by the caller; 401 from the callee answered by us" \
  auth_caller auth_callee "$bob_port"
caller auth_wrong_password wrong || fail_with "wrong password: expected 401 then 403"
expect_idle "wrong password"
check "a wrong password gets 401, then 403 once the source's allowance is spent"
grep -q 'authentication from 127.0.0.1 failed: Authorization: wrong response' \
  "$work/server.log" || fail_with "the failed authentication was not logged"
check "the failed authentication is logged with the source and the reason"
