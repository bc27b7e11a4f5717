#!/usr/bin/env bash
# Stops what up.sh and roundcube.sh started, by recorded PID only: Roundcube's PHP server,
# amavisd, amavisd-pg, amavisd-isp, spamd, spamd-users, Dovecot and (only if up.sh started them) PostgreSQL and MariaDB. A
# MariaDB or PostgreSQL that was already running is never touched. Idempotent.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -d "$STATE" ] || exit 0

bash "$STACK_SRC/roundcube.sh" down
for name in "${AMAVISD_INSTANCES[@]}"; do
  stop_amavisd "$name"
  rm -f "${AMAVISD_SOCKET[$name]}"   # amavisd (no longer root) cannot always unlink its socket itself
done
for name in "${SPAMD_INSTANCES[@]}"; do stop_spamd "$name"; done
stop_dovecot
stop_postgresql   # lib.sh: only a cluster up.sh recorded as started by us

# MariaDB: only when up.sh recorded that it started it. Stop mysqld_safe first (else
# its loop restarts a server that exits), then the server itself, waiting for a clean
# InnoDB shutdown.
safe_pid=$(pidfile_pid "$PIDS/mysqld_safe.pid")
if [ -n "$safe_pid" ]; then
  db_pid=$(pidfile_pid "$PIDS/mariadbd.pid")
  # The recorded mariadbd pid is stale if our mysqld_safe restarted a crashed server;
  # only then (our mysqld_safe still alive) is the server's own pid file ours too.
  if ! pid_is "$db_pid" 'mariadbd|mysqld' && pid_is "$safe_pid" mysqld_safe; then
    db_pid=$(pidfile_pid /run/mysqld/mysqld.pid)
  fi
  if pid_is "$safe_pid" mysqld_safe; then kill -TERM "$safe_pid" 2>/dev/null || true; fi
  stop_pid mariadbd "$db_pid" 'mariadbd|mysqld'
  stop_pid mysqld_safe "$safe_pid"
  rm -f "$PIDS/mysqld_safe.pid" "$PIDS/mariadbd.pid"
fi
log "stack down"
