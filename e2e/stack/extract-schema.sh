#!/usr/bin/env bash
# Prints the CREATE TABLE / CREATE INDEX statements of the amavisd-new MySQL schema
# (lookup tables users, mailaddr, wblist, policy; storage tables maddr, msgs, msgrcpt,
# quarantine) from Debian's README.sql-mysql(.gz). Used by up.sh to check that the
# committed amavis-schema.sql still matches the installed amavisd-new, and to
# regenerate it:  e2e/stack/extract-schema.sh > e2e/stack/amavis-schema.sql
set -euo pipefail
DOC=${1:-/usr/share/doc/amavisd-new/README.sql-mysql.gz}
[ -r "$DOC" ] || { echo "extract-schema.sh: $DOC not readable" >&2; exit 1; }
{ case "$DOC" in *.gz) zcat "$DOC" ;; *) cat "$DOC" ;; esac; } | awk '
  /^-- Example data follows/ { exit }              # the INSERT examples are not schema
  /^CREATE TABLE/            { intable = 1 }
  intable                    { print; if ($0 ~ /^\).*;[ \t]*$/) { intable = 0; print "" } next }
  /^CREATE INDEX/            { print }
'
