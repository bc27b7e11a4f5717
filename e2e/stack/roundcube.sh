#!/usr/bin/env bash
# A real Roundcube 1.6, from Debian's packages (roundcube-core, roundcube-sqlite3), with the
# amavis_quarantine plugin, for the browser test. It lives in a private tree under $STATE/roundcube
# (symlinks into /usr/share/roundcube, plus our own config, plugin copy, SQLite database, temp and
# logs): /etc/roundcube and /var/lib/roundcube are neither used nor changed. Roundcube signs users in
# to the stack's Dovecot over IMAP with STARTTLS (127.0.0.1:10143), trusting the stack's test CA.
# PHP's built-in server serves it on 127.0.0.1:$ROUNDCUBE_PORT (10088; Chromium refuses 10080) as www-data.
#
#   roundcube.sh [up]   installs what is missing, configures, starts the server or keeps a running one
#   roundcube.sh down   stops the server (by recorded PID)
#
# `up` also writes the plugin's settings, from AMAVIS_QUARANTINE_URL (the quarantine server as the
# browser sees it; default http://127.0.0.1:8080) and AQ_SSO_SECRET (default none: no single sign-on).
# PHP reads them at every request, so a running server picks them up at once. Needs up.sh first.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RC="$STATE/roundcube"
RC_PORT="${ROUNDCUBE_PORT:-10088}"
RC_SHARE=/usr/share/roundcube
REPO="$(cd "$STACK_SRC/../.." && pwd)"
WEB_USER=www-data

rc_pid() { pidfile_pid "$PIDS/roundcube.pid"; }

# The login page answers 200 once PHP, the config and the database all work.
rc_ready() {
  # shellcheck disable=SC2016  # $1 expands in the inner bash, on purpose
  timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /?_task=login HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n" "$1" >&3
    IFS= read -r -t 9 line <&3 && [[ $line == HTTP/1.?" 200"* ]]' _ "$RC_PORT" 2>/dev/null
}

rc_stop() {
  local pid
  pid=$(rc_pid)
  if pid_is "$pid" 'php.*-S'; then
    log "stopping roundcube (pid $pid)"
    # setsid made PHP the leader of its own process group: TERM reaches its workers too.
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait_until 15 "roundcube to exit" bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/roundcube.pid"
}

# A PHP single-quoted string literal (Roundcube's config files are PHP).
php_quote() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }

case "${1:-up}" in
  down) rc_stop; exit 0 ;;
  up) ;;
  *) die "usage: roundcube.sh [up|down]" ;;
esac

[ "$(id -u)" -eq 0 ] || die "roundcube.sh must run as root"
T0=$(date +%s.%N)
bash "$STACK_SRC/install.sh"
[ -f "$RC_SHARE/index.php" ] || die "$RC_SHARE/index.php is missing: is roundcube-core installed?"
[ -s "$STATE/ca.pem" ] || die "no $STATE/ca.pem: start the stack first (bash e2e/stack/up.sh)"
mkdir -p "$PIDS" "$LOGS"

# ---------------------------------------------------------------- the install tree
# Debian's /var/lib/roundcube layout (INSTALL_PATH with program, skins, plugins and config; the web
# root public_html beside them), rebuilt with our own config and plugins.
umask 022
APP="$RC/app"
mkdir -p "$APP/plugins" "$APP/public_html/program" "$APP/config" "$RC/db" "$RC/temp" "$RC/logs"
for d in program skins SQL index.php; do ln -sfn "$RC_SHARE/$d" "$APP/$d"; done
ln -sfn ../plugins "$APP/public_html/plugins"
ln -sfn ../skins "$APP/public_html/skins"
for d in js resources; do ln -sfn "../../program/$d" "$APP/public_html/program/$d"; done
# Debian's entry point: INSTALL_PATH is the directory above the web root, i.e. ours.
cat >"$APP/public_html/index.php" <<'PHP'
<?php
define('INSTALL_PATH', realpath(__DIR__ . '/..') . '/');
include INSTALL_PATH . 'index.php';
PHP
for f in defaults.inc.php mimetypes.php; do ln -sfn "/etc/roundcube/$f" "$APP/config/$f"; done
# Debian's own plugins (filesystem_attachments and jqueryui are required by Roundcube itself).
for p in "$RC_SHARE"/plugins/*; do ln -sfn "$p" "$APP/plugins/${p##*/}"; done
# Ours: a copy, not a link: www-data must read it wherever the checkout is, and each `up` refreshes it.
rm -rf "$APP/plugins/amavis_quarantine.new"
cp -r "$REPO/plugin/roundcube/amavis_quarantine" "$APP/plugins/amavis_quarantine.new"
rm -rf "$APP/plugins/amavis_quarantine"
mv "$APP/plugins/amavis_quarantine.new" "$APP/plugins/amavis_quarantine"
chown "$WEB_USER:$WEB_USER" "$RC/db" "$RC/temp" "$RC/logs"
chmod 0700 "$RC/db" "$RC/temp" "$RC/logs"

# ---------------------------------------------------------------- config
[ -s "$RC/des_key" ] || (umask 077; head -c 18 /dev/urandom | base64 >"$RC/des_key")
write_config() {  # <file> <content>: root-owned, readable by the web user only
  local tmp="$1.tmp"
  printf '%s\n' "$2" >"$tmp"
  chown "root:$WEB_USER" "$tmp"; chmod 0640 "$tmp"; mv "$tmp" "$1"
}
write_config "$APP/config/config.inc.php" "<?php
// Written by e2e/stack/roundcube.sh: a private Roundcube for the browser tests.
\$config = [];
\$config['db_dsnw'] = 'sqlite:///$RC/db/roundcube.db?mode=0600';
// tls:// is STARTTLS in Roundcube; the certificate is checked against the stack's test CA.
\$config['imap_host'] = 'tls://127.0.0.1:$IMAP_PORT';
\$config['imap_conn_options'] = ['ssl' => ['verify_peer' => true, 'verify_peer_name' => true, 'cafile' => '$STATE/ca.pem']];
\$config['smtp_host'] = '';
\$config['des_key'] = '$(cat "$RC/des_key")';
\$config['plugins'] = ['amavis_quarantine'];
\$config['skin'] = 'elastic';
\$config['language'] = 'en_US';
\$config['product_name'] = 'Roundcube Webmail';
\$config['support_url'] = '';
\$config['temp_dir'] = '$RC/temp/';
\$config['log_dir'] = '$RC/logs/';
\$config['enable_installer'] = false;
\$config['enable_spellcheck'] = false;"

url="${AMAVIS_QUARANTINE_URL:-http://127.0.0.1:8080}"
[[ $url =~ ^https?://[^[:space:]]+$ ]] || die "AMAVIS_QUARANTINE_URL must be an http(s) URL, got: $url"
# Roundcube looks for <plugin>.inc.php in its config dir when the plugin has no config.inc.php.
write_config "$APP/config/amavis_quarantine.inc.php" "<?php
// Written by e2e/stack/roundcube.sh (see plugin/roundcube/amavis_quarantine/config.inc.php.dist).
\$config['amavis_quarantine_url'] = $(php_quote "$url");
\$config['amavis_quarantine_sso_secret'] = $(php_quote "${AQ_SSO_SECRET:-}");"

# ---------------------------------------------------------------- database
if [ ! -s "$RC/db/roundcube.db" ]; then
  log "creating the Roundcube database (SQLite)"
  # shellcheck disable=SC2016  # PHP code, not shell
  setpriv --reuid="$WEB_USER" --regid="$WEB_USER" --init-groups -- php -r '
    $db = new PDO("sqlite:" . $argv[1]);
    $db->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    $db->exec(file_get_contents($argv[2]));' "$RC/db/roundcube.db" "$RC_SHARE/SQL/sqlite.initial.sql"
fi

# ---------------------------------------------------------------- server
pid=$(rc_pid)
if pid_is "$pid" 'php.*-S' && rc_ready; then
  log "roundcube already up on 127.0.0.1:$RC_PORT"
else
  rc_stop
  port_open "$RC_PORT" && die "something else listens on 127.0.0.1:$RC_PORT (set ROUNDCUBE_PORT)"
  # Workers, so the page's parallel requests (scripts, styles, keep-alive) do not queue behind each other.
  # No inherited descriptors (lib.sh, close_inherited_fds): PHP must not keep the lock fd of a caller's
  # flock. The subshell execs into PHP, so $! is PHP's pid, which rc_stop checks and signals.
  ( close_inherited_fds; exec setsid setpriv --reuid="$WEB_USER" --regid="$WEB_USER" --init-groups -- \
    env PHP_CLI_SERVER_WORKERS=4 php -S "127.0.0.1:$RC_PORT" -t "$APP/public_html" ) \
    </dev/null >>"$LOGS/roundcube-php.log" 2>&1 &
  echo $! >"$PIDS/roundcube.pid"
  if ! wait_until 20 "roundcube on 127.0.0.1:$RC_PORT" rc_ready; then
    show_log_tail "$LOGS/roundcube-php.log"; show_log_tail "$RC/logs/errors.log"
    rc_stop
    die "roundcube did not start"
  fi
fi

printf 'ROUNDCUBE_URL=http://127.0.0.1:%s\nROUNDCUBE_LOGS=%s\n' "$RC_PORT" "$RC/logs" >"$RC/roundcube.env"
secs=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
log "roundcube up in ${secs}s: http://127.0.0.1:$RC_PORT (plugin -> $url$([ -n "${AQ_SSO_SECRET:-}" ] && echo ', single sign-on on'))"
