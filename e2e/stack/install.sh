#!/usr/bin/env bash
# Installs the Debian packages the real test stack needs (amavisd-new, SpamAssassin,
# Dovecot, MariaDB, swaks, chromium, ...). Installs only what is missing, so it takes
# well under a second when everything is already there.
set -euo pipefail

# Core of the stack. libdbd-mysql-perl, libdbd-pg-perl: amavisd talks to MariaDB and PostgreSQL through DBI.
# postgresql: the second amavis database (its postinst creates the cluster "main" on 5432, which
# up.sh starts with pg_ctlcluster when it is not running); it brings psql along.
# file: amavisd uses file(1) to classify MIME parts (banned-type checks).
# procps: pgrep/pkill-by-pid helpers; netcat-openbsd: handy for AM.PDP probes in tests.
# openssl: test CA and certificates. chromium + fonts-roboto: UI screenshot tests.
# roundcube-core + roundcube-sqlite3 + php-cli: a real Roundcube 1.6 for the plugin's browser test
# (e2e/stack/roundcube.sh serves it with PHP's built-in server; no Apache is started).
PKGS=(mariadb-server mariadb-client postgresql dovecot-imapd dovecot-lmtpd amavisd-new spamassassin spamd
      libdbd-mysql-perl libdbd-pg-perl swaks openssl file procps netcat-openbsd chromium
      roundcube-core roundcube-sqlite3 php-cli)
OPTIONAL_PKGS=(fonts-roboto fonts-noto-color-emoji)   # installed when the archive has it, skipped otherwise

# One dpkg-query for all names: fast. A package counts as present only when it is
# fully installed ("ii"); unknown packages make dpkg-query complain, hence 2>/dev/null.
missing_of() {
  local want=("$@") have p
  have=$(dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' "${want[@]}" 2>/dev/null \
         | awk '$1=="ii"{sub(/:.*/,"",$2); print $2}' || true)
  for p in "${want[@]}"; do
    grep -qx "$p" <<<"$have" || echo "$p"
  done
}

mapfile -t MISSING < <(missing_of "${PKGS[@]}" "${OPTIONAL_PKGS[@]}")
if [ "${#MISSING[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: missing packages (${MISSING[*]}) and not root" >&2
  exit 1
fi

echo "install.sh: installing: ${MISSING[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

# Optional packages that the archive does not know are dropped, not fatal.
TO_INSTALL=()
for p in "${MISSING[@]}"; do
  if printf '%s\n' "${OPTIONAL_PKGS[@]}" | grep -qx "$p" \
     && ! apt-cache show "$p" >/dev/null 2>&1; then
    echo "install.sh: optional package $p not available, skipping" >&2
    continue
  fi
  TO_INSTALL+=("$p")
done
[ "${#TO_INSTALL[@]}" -eq 0 ] && exit 0

# Package postinst scripts start their system daemons (a system dovecot on 143/993,
# amavisd on 10024, spamd) through invoke-rc.d. Those would collide with our private
# instances, so forbid it with a policy-rc.d that exits 101 ("action forbidden").
# Only remove it afterwards if we created it: docker-style images ship their own.
POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# temporary, written by e2e/stack/install.sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  CREATED_POLICY=1
fi
cleanup_policy() { [ "$CREATED_POLICY" = 1 ] && rm -f "$POLICY"; true; }
trap cleanup_policy EXIT

# Daemons running before the install are not ours to touch (e.g. a MariaDB the machine
# already runs); snapshot them so that only daemons the install started get stopped.
# Matched on the command line: amavisd and spamd rename themselves ($0), e.g.
# "/usr/sbin/amavisd (master)", so their comm is not a stable name. PostgreSQL's postmaster
# is ".../bin/postgres -D ..."; a cluster the install started is stopped too, so that up.sh
# starts it itself and records it as ours.
daemon_pids() { pgrep -f '(^|/)(amavisd|spamd|dovecot|postgres)( |$)' 2>/dev/null || true; }
BEFORE=$(daemon_pids | sort -u)

# roundcube-core would set up a system database with dbconfig-common; roundcube.sh brings its own.
echo 'roundcube-core roundcube/dbconfig-install boolean false' | debconf-set-selections
apt-get install -y --no-install-recommends -o Dpkg::Use-Pty=0 "${TO_INSTALL[@]}"

# Belt and braces: policy-rc.d should have kept them down, but a postinst that bypasses
# invoke-rc.d (or an image whose policy-rc.d allows starts) could still leave one running.
AFTER=$(daemon_pids | sort -u)
NEW=$(comm -13 <(echo "$BEFORE") <(echo "$AFTER") | grep -v '^$' || true)
if [ -n "$NEW" ]; then
  echo "install.sh: stopping package-started daemons: ${NEW//$'\n'/ }" >&2
  # shellcheck disable=SC2086  # one PID per word, on purpose
  kill $NEW 2>/dev/null || true
  for _ in $(seq 50); do
    alive=0
    for p in $NEW; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in $NEW; do kill -9 "$p" 2>/dev/null || true; done
fi
