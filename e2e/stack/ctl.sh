#!/usr/bin/env bash
# Stops or (re)starts one component of a running stack, for failure-path tests:
#   ctl.sh stop amavisd    -> returns once ports 10024/9998 refuse connections
#   ctl.sh start amavisd   -> returns once 9998 is open and 10024 greets with 220
#   ctl.sh stop|start amavisd-pg (the PostgreSQL one: SMTP 10026, AM.PDP 9996), likewise
#   ctl.sh stop|start amavisd-isp (ISPConfig's lookups: SMTP 10028, AM.PDP 9994), likewise
#   ctl.sh stop|start dovecot (IMAP 10143/10993, LMTP 2424)
#   ctl.sh stop|start spamd (TELL 10783) or spamd-users (TELL 10784): start returns once it answers PING
#   ctl.sh restart amavisd|amavisd-pg|amavisd-isp|dovecot|spamd|spamd-users
# Uses the configs up.sh rendered into $AQ_STACK_DIR/etc; run up.sh first.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { echo "usage: $0 stop|start|restart amavisd|amavisd-pg|amavisd-isp|dovecot|spamd|spamd-users" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1 comp=$2
# Every amavisd (and spamd) instance goes through the same helpers, which take the instance name. spamd has no
# config file of its own (its arguments are in lib.sh), but up.sh makes its pid and log dirs.
case "$comp" in amavisd|amavisd-pg|amavisd-isp) kind=amavisd ;; dovecot) kind=dovecot ;; spamd|spamd-users) kind=spamd ;; *) usage ;; esac
if [ "$kind" = spamd ]; then
  [ -d "$PIDS" ] && [ -d "$LOGS" ] || die "no $PIDS or $LOGS: run up.sh first"
else
  [ -f "$ETC/$comp.conf" ] || die "no $ETC/$comp.conf: run up.sh first"
fi
case "$action" in
  stop)    "stop_$kind" "$comp" ;;
  start)   "start_$kind" "$comp" ;;
  restart) "stop_$kind" "$comp"; "start_$kind" "$comp" ;;
  *) usage ;;
esac
