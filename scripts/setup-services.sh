#!/usr/bin/env bash
# Makes sure the database servers Ferry's tests use are up and configured. Idempotent: it changes
# a setting only when it differs, and restarts a server only when a restart-only setting changed.
#   PostgreSQL 127.0.0.1:5432  wal_level=logical
#   MariaDB    127.0.0.1:3306  server_id, log_bin, binlog_format=ROW, binlog_row_image=FULL,
#                              binlog_row_metadata=FULL, local_infile=ON, time-zone tables loaded
#   Redis      127.0.0.1:6379
#   Spare PostgreSQL 127.0.0.1:5433 and spare MariaDB 127.0.0.1:3307, for tests that change
#   global settings or restart a server
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

# --- Spare instances --------------------------------------------------------------------------
# Tests that restart a server or change a global setting (time zone, read_only) use these, one
# test file at a time, so no other test sees the change (DESIGN.md).
SPARE_PG_PORT=5433 SPARE_MY_PORT=3307
if [ "$(id -u)" -eq 0 ]; then
  version=$(pg_cluster_version)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx spare; then
    log "creating the spare PostgreSQL cluster on port $SPARE_PG_PORT"
    pg_createcluster "$version" spare -p "$SPARE_PG_PORT" -- --auth-host=trust --auth-local=trust >/dev/null
    conf=/etc/postgresql/$version/spare/postgresql.conf
    printf "listen_addresses = '127.0.0.1'\nwal_level = logical\n" >>"$conf"
  fi
  if ! pg_isready -h 127.0.0.1 -p "$SPARE_PG_PORT" >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$version" spare start
    wait_for "spare PostgreSQL" pg_isready -h 127.0.0.1 -p "$SPARE_PG_PORT"
  fi

  spare_cnf=/etc/mysql/ferry-spare.cnf spare_dir=/var/lib/mysql-spare
  if [ ! -f "$spare_cnf" ]; then
    cat >"$spare_cnf" <<CNF
[mysqld]
user = mysql
datadir = $spare_dir
port = $SPARE_MY_PORT
bind-address = 127.0.0.1
socket = /run/mysqld/mysqld-spare.sock
pid-file = /run/mysqld/mysqld-spare.pid
log-error = /var/log/mysql/error-spare.log
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
server_id = 2
log_bin = mariadb-bin
binlog_format = ROW
binlog_row_image = FULL
binlog_row_metadata = FULL
local_infile = ON
CNF
  fi
  if [ ! -d "$spare_dir/mysql" ]; then
    log "initialising the spare MariaDB on port $SPARE_MY_PORT"
    mariadb-install-db --defaults-file="$spare_cnf" --auth-root-authentication-method=normal --skip-test-db >/dev/null
  fi
  if ! mariadb-admin -uroot -h127.0.0.1 -P"$SPARE_MY_PORT" ping >/dev/null 2>&1; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    start-stop-daemon --start --oknodo --background --pidfile /run/mysqld/mysqld-spare.pid \
      --exec /usr/sbin/mariadbd -- --defaults-file="$spare_cnf"
    wait_for "spare MariaDB" mariadb-admin -uroot -h127.0.0.1 -P"$SPARE_MY_PORT" ping
  fi
  if [ "$(mariadb -uroot -h127.0.0.1 -P"$SPARE_MY_PORT" -N -B -e 'SELECT COUNT(*) FROM mysql.time_zone_name')" = "0" ]; then
    mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -uroot -h127.0.0.1 -P"$SPARE_MY_PORT" mysql
  fi
else
  log "not root: spare instances not managed (tests that need them will say so)"
fi

# --- Redis ------------------------------------------------------------------------------------
if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi

log "services ready"
