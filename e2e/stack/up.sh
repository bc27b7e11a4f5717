#!/usr/bin/env bash
# Brings up the real test stack on loopback: MariaDB (reused or ours), PostgreSQL (reused
# or the distribution's cluster started), Dovecot (IMAP STARTTLS 10143, IMAPS 10993, LMTP
# 2424) and three amavisd-new: amavisd storing in MariaDB (SMTP 10024, AM.PDP on TCP 9998
# and on /var/lib/amavis/amavisd.sock), amavisd-pg storing in PostgreSQL (SMTP 10026,
# AM.PDP 9996 and /var/lib/amavis/amavisd-pg.sock) and amavisd-isp, storing in MariaDB and looking
# up in ISPConfig's spamfilter tables (SMTP 10028, AM.PDP 9994, amavisd-isp.sock), spamd (TELL on 10783, learning into the
# Bayes store both amavisd read) and spamd-users (TELL on 10784, a Bayes store per User: under /var/lib/amavis/aq-bayes). Idempotent: healthy components whose
# config did not change are kept; anything else is (re)started cleanly. Writes $STATE/stack.env.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "up.sh must run as root (daemons drop to amavis/vmail themselves)"
T0=$(date +%s.%N)

bash "$STACK_SRC/install.sh"

umask 022
mkdir -p "$STATE" "$PIDS" "$LOGS" "$ETC" "$MAILROOT" "$STATE/dovecot" "$STATE/amavis"
# amavisd refuses to run when its config dir is writable by the amavis user.
chown root:root "$STATE" "$ETC"; chmod 0755 "$STATE" "$ETC"
# amavisd (as user amavis) writes its log and lock file there.
chown amavis:amavis "$STATE/amavis"
chmod 0755 "$LOGS"

# SpamAssassin runs offline (sa-update cannot reach the net): it relies on the rules the
# Debian package ships. Without them GTUBE is not spam and the seed fails obscurely.
ls /usr/share/spamassassin/*.cf >/dev/null 2>&1 || ls /var/lib/spamassassin/*/*.cf >/dev/null 2>&1 \
  || die "no SpamAssassin rules in /usr/share/spamassassin (reinstall the spamassassin package)"

# ---------------------------------------------------------------- users
# Dovecot will not deliver mail as root, and refuses uids below first_valid_uid.
if ! id -u vmail >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
          --shell /usr/sbin/nologin vmail
fi
VMAIL_UID=$(id -u vmail)
chown vmail:vmail "$MAILROOT"

# ---------------------------------------------------------------- MariaDB
# Reuse a server that already answers root over the unix socket (many machines run one);
# otherwise start mysqld_safe ourselves and record it so down.sh stops only that one.
start_mariadb() {
  if mysql_root -e 'SELECT 1' >/dev/null 2>&1; then
    return 0
  fi
  if port_open "$DB_PORT"; then
    die "something listens on $DB_HOST:$DB_PORT but root@localhost over the unix socket does not work"
  fi
  log "starting MariaDB (mysqld_safe)"
  # The Debian init script normally creates /run/mysqld; without it the socket and pid
  # file cannot be created. The datadir was initialized by the package's postinst.
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >"$LOGS/mariadb-install-db.log" 2>&1
  # mariadbd (user mysql) opens the error log itself: the file must be mysql's.
  touch "$LOGS/mysqld.log"; chown mysql:mysql "$LOGS/mysqld.log"
  # setsid: own session, so the caller's terminal/CI job control does not signal it.
  ( close_inherited_fds; exec setsid mysqld_safe --log-error="$LOGS/mysqld.log" --bind-address=127.0.0.1 --port="$DB_PORT" ) \
    </dev/null >>"$LOGS/mysqld_safe.out" 2>&1 &
  local safe_pid=$!
  echo "$safe_pid" >"$PIDS/mysqld_safe.pid"
  local n=600
  until mysql_root -e 'SELECT 1' >/dev/null 2>&1; do
    if ! pid_alive "$safe_pid" || [ "$n" -le 0 ]; then   # mysqld_safe gives up -> fail fast
      show_log_tail "$LOGS/mysqld_safe.out"; show_log_tail "$LOGS/mysqld.log"
      rm -f "$PIDS/mysqld_safe.pid"; die "MariaDB did not start"
    fi
    sleep 0.1; n=$((n - 1))
  done
  # mysqld_safe is a shell loop; the server itself is mariadbd with its own pid file.
  wait_until 10 "mariadbd pid file" test -s /run/mysqld/mysqld.pid || true
  cp /run/mysqld/mysqld.pid "$PIDS/mariadbd.pid" 2>/dev/null || true
}
start_mariadb

# Databases (storage, and lookups: see lib.sh), user (both host forms: 'localhost' = unix socket,
# '127.0.0.1' = TCP, since name resolution may be off), privileges on every database matching amavis%
# (the server creates aq_* tables in amavis; the benchmark uses amavis_bench).
mysql_root <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE DATABASE IF NOT EXISTS \`$LOOKUP_DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE DATABASE IF NOT EXISTS \`$ISP_LOOKUP_DB_NAME\` CHARACTER SET utf8 COLLATE utf8_general_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON \`amavis%\`.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`amavis%\`.* TO '$DB_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

# Schema: the committed copy must match Debian's README.sql-mysql.gz when that file is
# there (Debian images may drop /usr/share/doc via dpkg path-exclude, hence the copy).
SCHEMA="$STACK_SRC/amavis-schema.sql"
if [ -r /usr/share/doc/amavisd-new/README.sql-mysql.gz ]; then
  if ! diff <(sed '1,3d' "$SCHEMA") <(bash "$STACK_SRC/extract-schema.sh") >"$LOGS/schema.diff" 2>&1; then
    cat "$LOGS/schema.diff" >&2
    die "e2e/stack/amavis-schema.sql differs from README.sql-mysql.gz (regenerate with extract-schema.sh)"
  fi
fi
TABLES=(maddr msgs msgrcpt quarantine users mailaddr wblist policy)
have=$(mysql_root -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='$DB_NAME'
        AND table_name IN ($(printf "'%s'," "${TABLES[@]}" | sed 's/,$//'))")
if [ "$have" -ne "${#TABLES[@]}" ]; then
  log "loading amavisd schema into $DB_NAME ($have of ${#TABLES[@]} tables present)"
  # IF NOT EXISTS so that a partially present schema is completed, not clobbered.
  sed -e 's/^CREATE TABLE /CREATE TABLE IF NOT EXISTS /' \
      -e 's/^CREATE INDEX \([a-z_]*\)/CREATE INDEX IF NOT EXISTS \1/' "$SCHEMA" \
    | mysql_root "$DB_NAME"
fi
# The lookup tables again in $LOOKUP_DB_NAME, where amavisd (@lookup_sql_dsn) and the server
# (AQ_LOOKUP_DB_URL) use them. The copies in $DB_NAME stay: the schema file makes them, nothing reads them.
LOOKUP_TABLES=(users mailaddr wblist policy)
have=$(mysql_root -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='$LOOKUP_DB_NAME'
        AND table_name IN ($(printf "'%s'," "${LOOKUP_TABLES[@]}" | sed 's/,$//'))")
if [ "$have" -ne "${#LOOKUP_TABLES[@]}" ]; then
  log "loading amavisd lookup tables into $LOOKUP_DB_NAME ($have of ${#LOOKUP_TABLES[@]} tables present)"
  # The schema file's first four tables, up to the storage ones (maddr first).
  sed -n '/^CREATE TABLE users /,/^CREATE TABLE maddr /p' "$SCHEMA" | sed '$d' \
    | sed -e 's/^CREATE TABLE /CREATE TABLE IF NOT EXISTS /' | mysql_root "$LOOKUP_DB_NAME"
fi

# ISPConfig's spamfilter tables (our own DDL with its names and types) in $ISP_LOOKUP_DB_NAME, for amavisd-isp.
ISP_TABLES=(spamfilter_users spamfilter_wblist spamfilter_policy)
have=$(mysql_root -N -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='$ISP_LOOKUP_DB_NAME'
        AND table_name IN ($(printf "'%s'," "${ISP_TABLES[@]}" | sed 's/,$//'))")
if [ "$have" -ne "${#ISP_TABLES[@]}" ]; then
  log "loading ISPConfig's spamfilter tables into $ISP_LOOKUP_DB_NAME ($have of ${#ISP_TABLES[@]} tables present)"
  sed -e 's/^CREATE TABLE /CREATE TABLE IF NOT EXISTS /' "$STACK_SRC/ispconfig-schema.sql" | mysql_root "$ISP_LOOKUP_DB_NAME"
fi

# ---------------------------------------------------------------- PostgreSQL
start_postgresql   # lib.sh: reuse the running cluster, or start (and record) the distribution's

# Role and databases, as the superuser. The password is set on every run, so a changed
# one is put right; the role owns its databases (so it can create and drop tables there,
# and PostgreSQL 15's public schema belongs to the database owner) and is no superuser.
# CREATE DATABASE cannot run in a DO block, hence \gexec. UTF8 as the MariaDB side's utf8mb4.
psql_super -d postgres <<SQL
SELECT 'CREATE ROLE $DB_USER LOGIN'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER WITH LOGIN NOSUPERUSER PASSWORD '$DB_PASS';
SELECT format('CREATE DATABASE %I OWNER $DB_USER ENCODING ''UTF8'' TEMPLATE template0', d)
  FROM unnest(ARRAY['$PG_DB', '$PG_BENCH_DB']) AS d
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = d) \gexec
ALTER DATABASE $PG_DB OWNER TO $DB_USER;
ALTER DATABASE $PG_BENCH_DB OWNER TO $DB_USER;
SQL

# Schema: as for MariaDB, the committed copy must match Debian's README.sql-pg.gz when
# that is installed. Loaded as the amavis role over TCP (the README's GRANTs name amavis,
# i.e. the owner, so they change nothing), which also proves the role can log in.
SCHEMA_PG="$STACK_SRC/amavis-schema-pg.sql"
if [ -r /usr/share/doc/amavisd-new/README.sql-pg.gz ]; then
  if ! diff <(sed '1,3d' "$SCHEMA_PG") <(bash "$STACK_SRC/extract-schema.sh" pg) >"$LOGS/schema-pg.diff" 2>&1; then
    cat "$LOGS/schema-pg.diff" >&2
    die "e2e/stack/amavis-schema-pg.sql differs from README.sql-pg.gz (regenerate with extract-schema.sh pg)"
  fi
fi
# Tables and indexes, by the names the schema file creates: a missing index counts too.
mapfile -t PG_RELS < <(sed -n 's/^CREATE \(TABLE\|INDEX\) \([a-z_]*\).*/\2/p' "$SCHEMA_PG")
pg_want=${#PG_RELS[@]}
pg_have=$(psql_amavis -d "$PG_DB" -At -c "SELECT count(*) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relname IN ($(printf "'%s'," "${PG_RELS[@]}" | sed 's/,$//'))") \
  || die "cannot query PostgreSQL database $PG_DB as $DB_USER over TCP $PG_HOST:$PG_PORT"
if [ "$pg_have" -ne "$pg_want" ]; then
  log "loading amavisd schema into PostgreSQL $PG_DB ($pg_have of $pg_want tables and indexes present)"
  # IF NOT EXISTS so that a partially present schema is completed, not clobbered.
  sed -e 's/^CREATE TABLE /CREATE TABLE IF NOT EXISTS /' \
      -e 's/^CREATE INDEX \([a-z_]*\)/CREATE INDEX IF NOT EXISTS \1/' "$SCHEMA_PG" \
    | psql_amavis -d "$PG_DB" >"$LOGS/schema-pg.log" 2>&1 \
    || { cat "$LOGS/schema-pg.log" >&2; die "loading the PostgreSQL schema failed"; }
fi

# ---------------------------------------------------------------- TLS (once)
if [ ! -s "$STATE/ca.pem" ] || [ ! -s "$STATE/server.pem" ] || [ ! -s "$STATE/server.key" ]; then
  log "generating test CA and server certificate"
  tmp=$(mktemp -d)
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=aq-stack test CA" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
  printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1' >"$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$tmp/ext.cnf" -out "$tmp/server.pem" 2>/dev/null
  install -m 0644 "$tmp/ca.pem" "$STATE/ca.pem"
  install -m 0600 "$tmp/ca.key" "$STATE/ca.key"
  install -m 0644 "$tmp/server.pem" "$STATE/server.pem"
  install -m 0600 "$tmp/server.key" "$STATE/server.key"
  rm -rf "$tmp"
fi

# ---------------------------------------------------------------- configs
render() {  # render <template> <dest> [<sed -e expr>...]: returns 0 if dest changed
  local tpl=$1 dest=$2 new
  shift 2
  new=$(sed "$@" -e "s|@STATE@|$STATE|g" -e "s|@ETC@|$ETC|g" -e "s|@MAILROOT@|$MAILROOT|g" \
            -e "s|@VMAIL_UID@|$VMAIL_UID|g" -e "s|@IMAP_PORT@|$IMAP_PORT|g" \
            -e "s|@IMAPS_PORT@|$IMAPS_PORT|g" -e "s|@LMTP_PORT@|$LMTP_PORT|g" \
            -e "s|@SMTP_IN_PORT@|$SMTP_IN_PORT|g" -e "s|@PDP_PORT@|$PDP_PORT|g" \
            -e "s|@PDP_SOCKET@|$PDP_SOCKET|g" -e "s|@DB_NAME@|$DB_NAME|g" \
            -e "s|@DB_HOST@|$DB_HOST|g" -e "s|@DB_PORT@|$DB_PORT|g" \
            -e "s|@DB_USER@|$DB_USER|g" -e "s|@DB_PASS@|$DB_PASS|g" "$tpl")
  if [ -f "$dest" ] && [ "$new" == "$(cat "$dest")" ]; then return 1; fi
  printf '%s\n' "$new" >"$dest"
  return 0
}
# render_amavisd <name> <myhostname> <storage DSN> <lookup DSN> <work dir suffix> [<max_servers> [<lookup SQL>]]:
# $ETC/<name>.conf from the one template; returns 0 if it changed. Ports and socket come from lib.sh's tables.
STOCK_LOOKUP_SQL='# the lookup tables of amavis: the default $sql_select_policy and $sql_select_white_black_list'
render_amavisd() {
  local name=$1
  render "$STACK_SRC/amavisd.conf.in" "$ETC/$name.conf" \
    -e "s|@AMAVISD_NAME@|$name|g" -e "s|@AMAVISD_HOSTNAME@|$2|g" -e "s|@AMAVISD_SQL_DSN@|$3|g" \
    -e "s|@AMAVISD_LOOKUP_DSN@|$4|g" -e "s|@AMAVISD_TEMP@|tmp$5|g" -e "s|@AMAVISD_DB@|db$5|g" \
    -e "s|@AMAVISD_MAX_SERVERS@|${6:-3}|g" \
    -e "s|@AMAVISD_LOOKUP_SQL@|${7:-$STOCK_LOOKUP_SQL}|g" \
    -e "s|@AMAVISD_SMTP_PORT@|${AMAVISD_SMTP_PORT[$name]}|g" \
    -e "s|@AMAVISD_PDP_PORT@|${AMAVISD_PDP_PORT[$name]}|g" \
    -e "s|@AMAVISD_SOCKET@|${AMAVISD_SOCKET[$name]}|g"
}
DOVECOT_CHANGED=0
declare -A AMAVISD_CHANGED=([amavisd]=0 [amavisd-pg]=0 [amavisd-isp]=0)
render "$STACK_SRC/dovecot.conf.in" "$ETC/dovecot.conf" && DOVECOT_CHANGED=1
# amavisd looks up in a database of its own (amavis_lookup); amavisd-pg in its storage database.
render_amavisd amavisd amavis.example.test "DBI:mysql:database=$DB_NAME;host=$DB_HOST;port=$DB_PORT" \
  "DBI:mysql:database=$LOOKUP_DB_NAME;host=$DB_HOST;port=$DB_PORT" "" && AMAVISD_CHANGED[amavisd]=1
pg_dsn="DBI:Pg:dbname=$PG_DB;host=$PG_HOST;port=$PG_PORT"
render_amavisd amavisd-pg amavis-pg.example.test "$pg_dsn" "$pg_dsn" -pg && AMAVISD_CHANGED[amavisd-pg]=1
# amavisd-isp: ISPConfig's lookup SQL, as ISPConfig's amavisd template sets it (one line for sed). The
# policy SELECT ends in spamfilter_users.id so that `id` is the users row's, which the wblist SELECT's ? takes.
ISP_LOOKUP_SQL="\$sql_select_policy = 'SELECT *, spamfilter_users.id FROM spamfilter_users LEFT JOIN spamfilter_policy ON spamfilter_users.policy_id = spamfilter_policy.id WHERE spamfilter_users.email IN (%k) ORDER BY spamfilter_users.priority DESC'; \$sql_select_white_black_list = 'SELECT wb FROM spamfilter_wblist WHERE (spamfilter_wblist.rid = ?) AND (spamfilter_wblist.email IN (%k)) AND (spamfilter_wblist.active = \"y\") ORDER BY spamfilter_wblist.priority DESC';"
render_amavisd amavisd-isp amavis-isp.example.test "DBI:mysql:database=$DB_NAME;host=$DB_HOST;port=$DB_PORT" \
  "DBI:mysql:database=$ISP_LOOKUP_DB_NAME;host=$DB_HOST;port=$DB_PORT" -isp 2 "$ISP_LOOKUP_SQL" && AMAVISD_CHANGED[amavisd-isp]=1
chmod 0644 "$ETC/dovecot.conf" "$ETC/amavisd.conf" "$ETC/amavisd-pg.conf" "$ETC/amavisd-isp.conf"
if ! cmp -s "$STACK_SRC/fake-av-scan" "$ETC/fake-av-scan"; then
  # A copy in the root-owned etc dir: amavis must be able to read/execute it wherever
  # the repo lives, and must not be able to modify it.
  install -m 0755 "$STACK_SRC/fake-av-scan" "$ETC/fake-av-scan"
  AMAVISD_CHANGED[amavisd]=1 AMAVISD_CHANGED[amavisd-pg]=1 AMAVISD_CHANGED[amavisd-isp]=1
fi
# amavisd-pg's and amavisd-isp's own work dirs (amavisd's are the package's /var/lib/amavis/tmp and db).
for d in tmp-pg db-pg tmp-isp db-isp; do
  [ -d "/var/lib/amavis/$d" ] || install -d -o amavis -g amavis -m 0750 "/var/lib/amavis/$d"
done

# Test users: user@domain:{PLAIN}password::::::  (uid/gid/home come from default_fields)
users_tmp=$(mktemp)
for up in alice@example.test:alice-pw bob@example.test:bob-pw admin@example.test:admin-pw \
          super@example.test:super-pw carol@other.test:carol-pw; do
  printf '%s:{PLAIN}%s::::::\n' "${up%%:*}" "${up#*:}" >>"$users_tmp"
done
if ! cmp -s "$users_tmp" "$ETC/dovecot-users"; then
  install -m 0640 -o root -g dovecot "$users_tmp" "$ETC/dovecot-users"
fi
rm -f "$users_tmp"
# Maildirs exist from the start, so tests can watch <root>/<domain>/<user>/new at once.
for u in example.test/alice example.test/bob example.test/admin example.test/super other.test/carol; do
  for sub in new cur tmp; do
    [ -d "$MAILROOT/$u/$sub" ] || install -d -o vmail -g vmail -m 0700 "$MAILROOT/$u" "$MAILROOT/$u/$sub"
  done
done
chown vmail:vmail "$MAILROOT"/*

# ---------------------------------------------------------------- Dovecot
# Config test first: a broken template should fail here with dovecot's own message.
doveconf -c "$ETC/dovecot.conf" -n >/dev/null 2>"$LOGS/doveconf.err" \
  || { cat "$LOGS/doveconf.err" >&2; die "dovecot config invalid"; }
[ "$DOVECOT_CHANGED" = 1 ] && stop_dovecot
start_dovecot

# ---------------------------------------------------------------- amavisd, amavisd-pg, amavisd-isp, spamd, spamd-users
# Side by side: each spends 1-2 s compiling SpamAssassin's rules before it answers, and
# they share nothing but /var/lib/amavis (own sockets, work dirs, pid and log files; the
# Bayes store, which spamd's TELL writes and both amavisd read: see lib.sh).
# start_amavisd shows the failing one's log; up.sh fails once all have finished.
# The store is made before any of them runs: amavisd's autolearn would otherwise race its creation.
ensure_bayes_store
declare -A SPAMD_JOB
for name in "${SPAMD_INSTANCES[@]}"; do
  ( start_spamd "$name" ) &
  SPAMD_JOB[$name]=$!
done
declare -A AMAVISD_JOB
for name in "${AMAVISD_INSTANCES[@]}"; do
  (
    if [ "${AMAVISD_CHANGED[$name]}" = 1 ]; then stop_amavisd "$name"; fi
    start_amavisd "$name"
    # Expect the socket to be usable by root and closed to everybody else.
    [ -S "${AMAVISD_SOCKET[$name]}" ] || die "$name did not create ${AMAVISD_SOCKET[$name]}"
  ) &
  AMAVISD_JOB[$name]=$!
done
amavisd_failed=""
for name in "${AMAVISD_INSTANCES[@]}"; do
  wait "${AMAVISD_JOB[$name]}" || amavisd_failed+=" $name"
done
for name in "${SPAMD_INSTANCES[@]}"; do
  wait "${SPAMD_JOB[$name]}" || amavisd_failed+=" $name"
done
[ -z "$amavisd_failed" ] || die "did not come up:$amavisd_failed"

# ---------------------------------------------------------------- stack.env
cat >"$STATE/stack.env" <<EOF
AQ_STACK_DIR=$STATE
AQ_DB_URL=mysql://$DB_USER:$DB_PASS@$DB_HOST:$DB_PORT/$DB_NAME
AQ_LOOKUP_DB_URL=mysql://$DB_USER:$DB_PASS@$DB_HOST:$DB_PORT/$LOOKUP_DB_NAME
AQ_IMAP_HOST=127.0.0.1
AQ_IMAP_PORT=$IMAP_PORT
AQ_IMAP_TLS=starttls
AQ_IMAP_TLS_PORT=$IMAPS_PORT
AQ_IMAP_CA_FILE=$STATE/ca.pem
AQ_PDP=tcp://127.0.0.1:$PDP_PORT
AQ_PDP_SOCKET=$PDP_SOCKET
AQ_SMTP_IN_PORT=$SMTP_IN_PORT
AQ_LMTP_PORT=$LMTP_PORT
AQ_MAILDIR_ROOT=$MAILROOT
AQ_PG_DB_URL=postgres://$DB_USER:$DB_PASS@$PG_HOST:$PG_PORT/$PG_DB
AQ_PG_PDP=tcp://127.0.0.1:$PG_PDP_PORT
AQ_PG_PDP_SOCKET=$PG_PDP_SOCKET
AQ_PG_SMTP_IN_PORT=$PG_SMTP_IN_PORT
AQ_SPAMD_HOST=127.0.0.1
AQ_SPAMD_PORT=$SPAMD_PORT
AQ_SPAMD_USERS_PORT=$SPAMD_USERS_PORT
AQ_SPAMD_USERS_DIR=$USER_BAYES_DIR
AQ_ISP_LOOKUP_DB_URL=mysql://$DB_USER:$DB_PASS@$DB_HOST:$DB_PORT/$ISP_LOOKUP_DB_NAME
AQ_ISP_PDP=tcp://127.0.0.1:$ISP_PDP_PORT
AQ_ISP_PDP_SOCKET=$ISP_PDP_SOCKET
AQ_ISP_SMTP_IN_PORT=$ISP_SMTP_IN_PORT
EOF

secs=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
db_owner=reused; [ -s "$PIDS/mysqld_safe.pid" ] && db_owner=ours
pg_owner=reused; [ -s "$PIDS/postgresql.started" ] && pg_owner=ours
echo "aq-stack up in ${secs}s: mariadb($db_owner) $DB_HOST:$DB_PORT/$DB_NAME+$LOOKUP_DB_NAME, postgresql($pg_owner) $PG_HOST:$PG_PORT/$PG_DB, imap $IMAP_PORT(starttls)/$IMAPS_PORT(tls), lmtp $LMTP_PORT, amavisd smtp $SMTP_IN_PORT pdp $PDP_PORT+$PDP_SOCKET, amavisd-pg smtp $PG_SMTP_IN_PORT pdp $PG_PDP_PORT+$PG_PDP_SOCKET, amavisd-isp smtp $ISP_SMTP_IN_PORT pdp $ISP_PDP_PORT (lookups $ISP_LOOKUP_DB_NAME), spamd tell $SPAMD_PORT (bayes $BAYES_PATH), spamd-users tell $SPAMD_USERS_PORT (bayes $USER_BAYES_DIR/<User:>); env: $STATE/stack.env"
