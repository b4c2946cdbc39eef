# A throw-away PostgreSQL 15 for an interop test (sourced after lib.sh, with $work set):
# pg_init makes the cluster in a folder of its own and starts it on 127.0.0.1:$pg_port;
# pg_start and pg_stop [MODE] start and stop it again; pg_cleanup (for the test's EXIT
# handler) stops it at once and removes the folder. $pg_url is its postgres database.
pg_bin=/usr/lib/postgresql/15/bin
as_postgres() { # initdb refuses root: the cluster is the postgres user's
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_start() {
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null ||
    fail_with "PostgreSQL did not start: $(tail -5 "$pg_dir/server.log")"
}
pg_stop() { as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m "${1:-fast}" stop >/dev/null; }
pg_cleanup() {
  [ -n "${pg_dir:-}" ] || return 0
  pg_stop immediate 2>/dev/null
  rm -rf "$pg_dir"
}
pg_init() {
  pg_dir=$(mktemp -d)
  pg_port=$(free_port 45000)
  pg_url="postgresql://postgres@127.0.0.1:$pg_port/postgres"
  chmod 755 "$pg_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; fi
  as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --locale C.UTF-8 \
    >"$work/initdb.log" 2>&1 || fail_with "initdb failed: $(tail -5 "$work/initdb.log")"
  pg_start
}
# psql_c SQL: one statement's rows, unaligned, no header.
psql_c() { "$pg_bin/psql" -qAtX -d "$pg_url" -c "$1"; }
