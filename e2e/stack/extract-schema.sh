#!/usr/bin/env bash
# Prints the amavisd-new schema statements (lookup tables users, mailaddr, wblist, policy;
# storage tables maddr, msgs, msgrcpt, quarantine) from Debian's README.sql-mysql(.gz) or
# README.sql-pg(.gz), verbatim. Used by up.sh to check that the committed copies still
# match the installed amavisd-new, and to regenerate them:
#   e2e/stack/extract-schema.sh        > e2e/stack/amavis-schema.sql      (MySQL/MariaDB)
#   e2e/stack/extract-schema.sh pg     > e2e/stack/amavis-schema-pg.sql   (PostgreSQL)
# (prepend the 3-line header that the committed files carry; up.sh skips it when diffing)
#   extract-schema.sh [mysql|pg] [<README file>]
set -euo pipefail
FLAVOR=mysql
case "${1:-}" in mysql|pg) FLAVOR=$1; shift ;; esac
DOC=${1:-/usr/share/doc/amavisd-new/README.sql-$FLAVOR.gz}
[ -r "$DOC" ] || { echo "extract-schema.sh: $DOC not readable" >&2; exit 1; }
# Both READMEs: CREATE TABLE blocks run to a line starting with ")" and ending in ";", and
# lines inside them (column comments, commented-out FOREIGN KEY lines) are kept as shipped.
# The pg README also grants rights to role amavis (GRANT lines, one statement per line);
# MySQL's has none. Free-standing "--" comments between statements are prose, not schema.
{ case "$DOC" in *.gz) zcat "$DOC" ;; *) cat "$DOC" ;; esac; } | awk '
  /^-- Example data follows/ { exit }              # mysql: the INSERT examples are not schema
  /^Some examples of a query/ { exit }             # pg: SELECT/DELETE examples follow
  ingrant && !/^GRANT/       { ingrant = 0; print "" }   # a blank line after each GRANT group
  /^CREATE TABLE/            { intable = 1 }
  intable                    { print; if ($0 ~ /^\).*;[ \t]*$/) { intable = 0; print "" } next }
  /^CREATE INDEX/            { print }
  /^GRANT /                  { print; ingrant = 1 }
'
