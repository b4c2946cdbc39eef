#!/usr/bin/env python3
"""bench/cluster_ledger: the cluster's shared limits (issue 19). Ours: admissions a second
through cluster::PgLimits, as the instances make them, on a PostgreSQL of this run, each
admission released as soon as it is answered (a turn's admissions and releases go as one
transaction, committed asynchronously: docs/BENCHMARKS.md says why). The anchor: the same
admission as a Lua script in Redis (a bucket and a count, all or nothing, EVALSHA) and its
release (DECR), driven by redis-benchmark at the same number of connections, with Redis'
append-only file fsynced at every write and once a second (Redis' usual setting), one request
in flight per connection, and pipelined as deep as our ledgers keep them. Then the
calculation of where the shared PostgreSQL saturates for 10 and 100 instances.

Everything runs on 127.0.0.1 of this machine, each server in a temporary folder, bounded.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

LOAD = "@SB_LEDGER_LOAD@"
SOURCE_DIR = "@PROJECT_SOURCE_DIR@"
sys.path.insert(0, os.path.join(SOURCE_DIR, "bench"))
from processes import free_port, stop, wait_listening  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"

# Guard::admit's bucket and cap for one subject, as switchboard_admit does it in PostgreSQL.
ADMIT_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local rate, per, burst, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local level = burst
if b[1] then level = math.min(burst, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * rate / per) end
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n >= cap or level < 1 then return {0, n} end
redis.call('HSET', KEYS[1], 'tokens', level - 1, 'last', now)
redis.call('INCR', KEYS[2])
return {1, n + 1}
"""


def as_postgres(args):
    return (["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []) + args


def postgres(work, timeout_s):
    data = os.path.join(work, "pg")
    os.makedirs(data)
    if os.getuid() == 0:
        shutil.chown(work, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(as_postgres([f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                                "--locale", "C.UTF-8"]), check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen(as_postgres(["timeout", str(timeout_s), f"{PG_BIN}/postgres", "-D",
                                         data, "-p", str(port), "-k", work, "-c",
                                         "listen_addresses=127.0.0.1"]),
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "pg.log"), "w"))
    wait_listening("t", port, 20)
    return proc, f"postgresql://postgres@127.0.0.1:{port}/postgres"


def redis(work, name, fsync, timeout_s):
    port = free_port()
    folder = os.path.join(work, f"redis-{name}")
    os.makedirs(folder)
    proc = subprocess.Popen(["timeout", str(timeout_s), "redis-server", "--port", str(port),
                             "--bind", "127.0.0.1", "--dir", folder, "--save", "",
                             "--appendonly", "yes", "--appendfsync", fsync],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening("t", port, 10)
    return proc, port


def redis_rate(port, clients, requests, command, pipeline=1):
    """redis-benchmark's requests a second for one command over `clients` connections, each
    with `pipeline` requests in flight."""
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-c", str(clients), "-n",
                          str(requests), "-r", "1000", "-P", str(pipeline), "-q", "--csv"]
                         + command,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    # "EVALSHA …","12345.67",… : the second field of the last line
    return float(out.strip().splitlines()[-1].split('","')[1].strip('"'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=8, help="ledgers (connections), as instances")
    ap.add_argument("--depth", type=int, default=4, help="admissions in flight per instance")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--requests", type=int, default=100000, help="redis-benchmark's, each command")
    args = ap.parse_args()
    clients = args.instances * args.depth
    work = tempfile.mkdtemp(prefix="sb-ledger-")
    os.chmod(work, 0o755)
    try:
        pg, url = postgres(work, 300)
        try:
            out = subprocess.run([LOAD, url, str(args.instances), str(args.depth),
                                  str(args.seconds)], capture_output=True, text=True, timeout=120)
            if out.returncode != 0:
                sys.exit(f"cluster_ledger_load: {out.stderr.strip()}")
            ours = float(re.search(r"per_second (\d+)", out.stdout).group(1))
        finally:
            stop(pg)
        anchors = {}
        # Each connection with one request in flight, as a client waits for its answer; and,
        # as our ledger sends a turn's admissions together, with `depth` in flight (pipelined).
        for fsync, pipeline in (("always", 1), ("everysec", 1), ("everysec", args.depth)):
            proc, port = redis(work, f"{fsync}-{pipeline}", fsync, 300)
            try:
                sha = subprocess.run(["redis-cli", "-p", str(port), "SCRIPT", "LOAD", ADMIT_LUA],
                                     capture_output=True, text=True, check=True).stdout.strip()
                admit = redis_rate(port, clients, args.requests,
                                   ["EVALSHA", sha, "2", "b:__rand_int__", "a:__rand_int__",
                                    "1000000", "1", "1000000", "1000000"], pipeline)
                release = redis_rate(port, clients, args.requests, ["DECR", "a:__rand_int__"],
                                     pipeline)
                # One admission and its release, in sequence on a connection.
                anchors[(fsync, pipeline)] = 1 / (1 / admit + 1 / release)
            finally:
                stop(proc)
    finally:
        subprocess.run(["rm", "-rf", work])

    print(f"machine: {os.cpu_count()} cores; {args.instances} instances x {args.depth} in flight "
          f"({clients} connections)")
    print(f"ours    PostgreSQL 15, switchboard_admit + switchboard_release: {ours:9.0f} admissions/s")
    for (fsync, pipeline), rate in anchors.items():
        print(f"anchor  Redis 7, EVALSHA + DECR, appendfsync {fsync:8s}, {pipeline} in flight: "
              f"{rate:9.0f} admissions/s   ratio ours/anchor {ours / rate:.2f}")
    # An escalation admits its agent and each expert it rings (one, mostly) and releases both.
    per_escalation = 2
    ceiling = ours / per_escalation
    print(f"the shared PostgreSQL's ledger carries {ceiling:.0f} escalations/s (2 admissions each)")
    for n in (10, 100):
        print(f"  {n:3d} instances: saturated at {ceiling / n:8.1f} escalations/s per instance")


if __name__ == "__main__":
    main()
