#!/usr/bin/env bash
# Makes sure the database servers Ferry's tests use are up and configured. Idempotent: it changes
# a setting only when it differs, and restarts a server only when a restart-only setting changed.
#   PostgreSQL 127.0.0.1:5432  wal_level=logical
#   MariaDB    127.0.0.1:3306  server_id, log_bin, binlog_format=ROW, binlog_row_image=FULL,
#                              binlog_row_metadata=FULL, local_infile=ON, time-zone tables loaded
#   Redis      127.0.0.1:6379
set -euo pipefail

PG_HOST=127.0.0.1 PG_PORT=5432 MY_HOST=127.0.0.1 MY_PORT=3306
log() { printf 'setup-services: %s\n' "$*" >&2; }

wait_for() { # wait_for <what> <command...>
  local what=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  log "$what did not come up within 60 s"; return 1
}

psql_admin() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAqc "$1"; }
mariadb_admin() { mariadb -uroot -h"$MY_HOST" -P"$MY_PORT" -N -B -e "$1"; }

# --- PostgreSQL -------------------------------------------------------------------------------
pg_cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
if ! pg_isready -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster_version)" main start
  wait_for PostgreSQL pg_isready -h "$PG_HOST" -p "$PG_PORT"
fi
if [ "$(psql_admin 'SHOW wal_level')" != "logical" ]; then
  log "PostgreSQL: setting wal_level=logical (restart)"
  psql_admin "ALTER SYSTEM SET wal_level = 'logical'"
  pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster_version)" main restart
  wait_for PostgreSQL pg_isready -h "$PG_HOST" -p "$PG_PORT"
fi
psql_admin "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 || psql_admin "CREATE DATABASE test"

# --- MariaDB ----------------------------------------------------------------------------------
start_mariadb() {
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for MariaDB mariadb-admin -uroot -h"$MY_HOST" -P"$MY_PORT" ping
}
if ! mariadb-admin -uroot -h"$MY_HOST" -P"$MY_PORT" ping >/dev/null 2>&1; then
  log "starting MariaDB"
  start_mariadb
fi

MY_CONF_DIR=/etc/mysql/conf.d
MY_CONF=$MY_CONF_DIR/ferry.cnf
WANT_CONF='[mysqld]
server_id = 1
log_bin = mariadb-bin
binlog_format = ROW
binlog_row_image = FULL
binlog_row_metadata = FULL
local_infile = ON'
current=$(mariadb_admin "SELECT CONCAT_WS(',', @@server_id, @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, @@local_infile)")
if [ "$current" != "1,ON,ROW,FULL,FULL,ON" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "MariaDB settings are '$current' and need root to change: run this script as root"; exit 1
  fi
  log "MariaDB: applying binlog and local_infile settings (restart); was $current"
  mkdir -p "$MY_CONF_DIR"
  printf '%s\n' "$WANT_CONF" >"$MY_CONF"
  for cnf in /etc/mysql/my.cnf; do
    [ -f "$cnf" ] && ! grep -q "^!includedir $MY_CONF_DIR" "$cnf" && printf '\n!includedir %s/\n' "$MY_CONF_DIR" >>"$cnf"
  done
  mariadb-admin -uroot -h"$MY_HOST" -P"$MY_PORT" shutdown
  for _ in $(seq 1 30); do pgrep -x mariadbd >/dev/null || break; sleep 1; done
  start_mariadb
  current=$(mariadb_admin "SELECT CONCAT_WS(',', @@server_id, @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, @@local_infile)")
  [ "$current" = "1,ON,ROW,FULL,FULL,ON" ] || { log "MariaDB settings still '$current' after restart"; exit 1; }
fi
if [ "$(mariadb_admin 'SELECT COUNT(*) FROM mysql.time_zone_name')" = "0" ]; then
  log "MariaDB: loading time-zone tables"
  mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -uroot -h"$MY_HOST" -P"$MY_PORT" mysql
fi
mariadb_admin "CREATE DATABASE IF NOT EXISTS test"

# --- Redis ------------------------------------------------------------------------------------
if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi

log "services ready"
