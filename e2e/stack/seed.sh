#!/usr/bin/env bash
# Puts mail into the quarantine the way production does: through amavisd over SMTP.
# Two targets, the same 9 mails each:
#   mysql: swaks -> amavisd    127.0.0.1:10024 -> MariaDB;    manifest $STATE/seed.json
#   pg:    swaks -> amavisd-pg 127.0.0.1:10026 -> PostgreSQL; manifest $STATE/seed-pg.json
#   seed.sh [mysql|pg]...   (no argument: both, sent concurrently)
# Every run uses a new nonce, so Message-IDs are unique and the script can be re-run at
# will; the pg run's nonce ends in "-pg", so that its clean and released copies in the
# shared Dovecot INBOXes never pass for the mysql run's. Then checks msgs/msgrcpt/
# quarantine as the amavis DB user over TCP (mysql / psql) and writes the manifest
# describing what was sent (messageId as stored in msgs.message_id, i.e. with angle brackets).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ -f "$STATE/stack.env" ] || die "no stack at $STATE: run up.sh first"
TARGETS=("$@"); [ $# -gt 0 ] || TARGETS=(mysql pg)
declare -A T_AMAVISD=([mysql]=amavisd [pg]=amavisd-pg) T_MANIFEST=([mysql]=seed.json [pg]=seed-pg.json)
for t in "${TARGETS[@]}"; do
  [ -n "${T_AMAVISD[$t]:-}" ] || die "usage: $0 [mysql|pg]..."
  name=${T_AMAVISD[$t]}
  amavisd_ready "$name" || die "$name is not ready on ${AMAVISD_SMTP_PORT[$name]}/${AMAVISD_PDP_PORT[$name]}"
done

RUN_ID="$(date -u +%Y%m%d%H%M%S)-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
FROM=seed-sender@sender.example.net
GTUBE='XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X'
# Split so that this script itself does not trip a virus scanner.
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$'"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!\$H+H*"
DATE=$(date -R)

# The same query for both databases: CONCAT_WS, COALESCE and TRIM mean the same in MariaDB
# and PostgreSQL. TRIM: PostgreSQL's char(1) reads a blank quar_type back as ' ', MariaDB as ''.
# As the amavis DB user over TCP (what the server uses), so seed.sh needs no root.
q_mysql() { MYSQL_PWD="$DB_PASS" mysql -N -B -h "$DB_HOST" -P "$DB_PORT" -u "$DB_USER" "$DB_NAME" -e "$1"; }
q_pg() { psql_amavis -d "$PG_DB" -At -c "$1"; }

# Per target, in a subshell of its own (see "run" at the end), so these globals are the
# target's: $target, $name (its amavisd), $NONCE, $DIR (its temp dir) and the mails.
NAMES=()
declare -A M_TO M_SUBJ M_EXPECT M_MID
# Each mail: register <name> <expect> <to,to> <subject(UTF-8, for the manifest)>, and its
# full message at $DIR/<name>.eml (LF line endings; swaks turns them into CRLF).
header() {  # header <name> <to-list> <Subject header value>
  printf 'Date: %s\nFrom: Seed Sender <%s>\nTo: %s\nSubject: %s\nMessage-ID: <%s.%s@seed.example.test>\nMIME-Version: 1.0\n' \
    "$DATE" "$FROM" "$2" "$3" "$1" "$NONCE"
}
register() {  # register <name> <expect> <to,to> <subject as shown>
  NAMES+=("$1"); M_EXPECT[$1]=$2; M_TO[$1]=$3; M_SUBJ[$1]=$4
  M_MID[$1]="<$1.$NONCE@seed.example.test>"
}

# ---------------------------------------------------------------- the 9 mails
build_mails() {
# clean: plain text to alice (delivered to her INBOX via LMTP, content C, not quarantined)
register clean C alice@example.test "Seed clean mail $NONCE"
{ header clean alice@example.test "${M_SUBJ[clean]}"
  printf 'Content-Type: text/plain; charset=us-ascii\n\nHello Alice,\nthis is an ordinary mail.\n'; } >"$DIR/clean.eml"

# spam-single: GTUBE (SpamAssassin scores it 1000) to alice
register spam-single S alice@example.test "Seed spam single $NONCE"
{ header spam-single alice@example.test "${M_SUBJ[spam-single]}"
  printf 'Content-Type: text/plain; charset=us-ascii\n\nCheap stuff!\n%s\n' "$GTUBE"; } >"$DIR/spam-single.eml"

# spam-multi: one SMTP transaction, two recipients -> one msgs row, two msgrcpt rows
register spam-multi S alice@example.test,bob@example.test "Seed spam multi $NONCE"
{ header spam-multi "alice@example.test, bob@example.test" "${M_SUBJ[spam-multi]}"
  printf 'Content-Type: text/plain; charset=us-ascii\n\nCheap stuff for two!\n%s\n' "$GTUBE"; } >"$DIR/spam-multi.eml"

# banned: an invoice.exe attachment ($banned_filename_re matches .exe)
register banned B alice@example.test "Seed banned attachment $NONCE"
{ header banned alice@example.test "${M_SUBJ[banned]}"
  printf 'Content-Type: multipart/mixed; boundary="b1-%s"\n\n--b1-%s\nContent-Type: text/plain; charset=us-ascii\n\nPlease pay the attached invoice.\n\n--b1-%s\nContent-Type: application/octet-stream; name="invoice.exe"\nContent-Disposition: attachment; filename="invoice.exe"\nContent-Transfer-Encoding: base64\n\n' "$NONCE" "$NONCE" "$NONCE"
  printf 'MZ\220\0\3\0\0\0\4\0\0\0\377\377\0\0This program cannot be run in DOS mode.' | base64
  printf '\n--b1-%s--\n' "$NONCE"; } >"$DIR/banned.eml"

# virus: EICAR in the body; e2e/stack/fake-av-scan reports Eicar-Test-Signature
register virus V alice@example.test "Seed virus $NONCE"
{ header virus alice@example.test "${M_SUBJ[virus]}"
  printf 'Content-Type: text/plain; charset=us-ascii\n\n%s\n' "$EICAR"; } >"$DIR/virus.eml"

# utf8-subject: spam with an RFC 2047 encoded UTF-8 subject (umlauts, sharp s, emoji)
# (no nonce here: one RFC 2047 encoded-word must stay within 75 characters)
UTF8_SUBJ="Grüße aus Köln 🎉"
register utf8-subject S alice@example.test "$UTF8_SUBJ"
{ header utf8-subject alice@example.test "=?UTF-8?B?$(printf '%s' "$UTF8_SUBJ" | base64 -w0)?="
  printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nSchöne Grüße – %s\n' "$GTUBE"; } >"$DIR/utf8-subject.eml"

# big-spam: > 2 MB, so the quarantine holds it in many 16 KB chunks. GTUBE comes first:
# SpamAssassin only sees the first $sa_mail_body_size_limit bytes.
register big-spam S alice@example.test "Seed big spam $NONCE"
{ header big-spam alice@example.test "${M_SUBJ[big-spam]}"
  printf 'Content-Type: text/plain; charset=us-ascii\n\n%s\n' "$GTUBE"
  awk 'BEGIN { for (i = 0; i < 27000; i++)
    print "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor." }'; } >"$DIR/big-spam.eml"

# bad-header: a raw 8-bit (Latin-1, not UTF-8) byte in a header field. amavisd's header
# check (BadHdr8bit, "Non-encoded non-ASCII data") makes it CC_BADH -> content H.
register bad-header H bob@example.test "Seed bad header $NONCE"
{ header bad-header bob@example.test "${M_SUBJ[bad-header]}"
  printf 'X-Legacy-Note: caf\351 cr\350me\nContent-Type: text/plain; charset=us-ascii\n\nA mail with a broken header.\n'; } >"$DIR/bad-header.eml"

# other-domain: spam to carol in the second local domain
register other-domain S carol@other.test "Seed other domain spam $NONCE"
{ header other-domain carol@other.test "${M_SUBJ[other-domain]}"
  printf 'Content-Type: text/plain; charset=us-ascii\n\nHi Carol\n%s\n' "$GTUBE"; } >"$DIR/other-domain.eml"
}

# ---------------------------------------------------------------- send
send_mails() {
local n
for n in "${NAMES[@]}"; do
  if ! swaks --server "127.0.0.1:${AMAVISD_SMTP_PORT[$name]}" --helo seed.example.test --from "$FROM" \
       --to "${M_TO[$n]}" --data "@$DIR/$n.eml" --timeout 120 >"$DIR/$n.swaks" 2>&1; then
    cat "$DIR/$n.swaks" >&2; show_log_tail "$LOGS/$name.log"
    die "swaks failed for seed mail '$n' ($target)"
  fi
done
}

# ---------------------------------------------------------------- verify
# amavisd answers SMTP only after it has written msgs (content is NULL while processing),
# so the rows should be there; poll briefly anyway.
verify_rows() {
local n mid want row content quar nrcpt nchunks nto wantq fail=0
for n in "${NAMES[@]}"; do
  mid=${M_MID[$n]}; want=${M_EXPECT[$n]}; row=""
  for _ in $(seq 50); do
    # '|'-joined: a blank quar_type must not collapse the way whitespace IFS would.
    row=$("q_$target" "SELECT CONCAT_WS('|', content, TRIM(COALESCE(quar_type, '')),
               (SELECT COUNT(*) FROM msgrcpt r WHERE r.mail_id=m.mail_id AND r.partition_tag=m.partition_tag),
               (SELECT COUNT(*) FROM quarantine x WHERE x.mail_id=m.mail_id AND x.partition_tag=m.partition_tag))
             FROM msgs m WHERE message_id='$mid' AND content IS NOT NULL")
    [ -n "$row" ] && break; sleep 0.1
  done
  IFS='|' read -r content quar nrcpt nchunks <<<"$row" || true
  nto=$(tr ',' '\n' <<<"${M_TO[$n]}" | grep -c .)
  [ "$want" = C ] && wantq="" || wantq=Q
  if [ -z "$row" ]; then
    log "FAIL $target $n: no msgs row with message_id $mid"; fail=1
  elif [ "$content" != "$want" ] || [ "${quar:-}" != "$wantq" ] || [ "$nrcpt" != "$nto" ]; then
    log "FAIL $target $n: content=$content quar_type='${quar:-}' rcpts=$nrcpt (want $want '$wantq' $nto)"; fail=1
  elif [ "$wantq" = Q ] && [ "$nchunks" -lt 1 ]; then
    log "FAIL $target $n: no quarantine chunks"; fail=1
  elif [ "$n" = big-spam ] && [ "$nchunks" -le 1 ]; then
    log "FAIL $target $n: only $nchunks quarantine chunk(s)"; fail=1
  fi
done
if [ "$fail" = 1 ]; then show_log_tail "$LOGS/$name.log" 60; die "seed verification failed ($target)"; fi
}

# ---------------------------------------------------------------- seed.json / seed-pg.json
# Perl (always there: amavisd needs it) with core JSON::PP; subjects are UTF-8.
write_manifest() {
local manifest="$STATE/${T_MANIFEST[$target]}" n
for n in "${NAMES[@]}"; do
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "${M_MID[$n]}" "${M_TO[$n]}" "${M_SUBJ[$n]}" "${M_EXPECT[$n]}"
done | perl -MJSON::PP -CS -e '
  my ($run, $from) = @ARGV; my %mails;
  while (<STDIN>) { chomp; my ($n,$mid,$to,$subj,$exp) = split /\t/;
    $mails{$n} = { messageId => $mid, from => $from, to => [split /,/, $to], subject => $subj, expect => $exp } }
  print JSON::PP->new->canonical->pretty->encode({ runId => $run, mails => \%mails });
' "$NONCE" "$FROM" >"$manifest.tmp"
mv "$manifest.tmp" "$manifest"
echo "seeded ${#NAMES[@]} mails (run $NONCE) through $name; verified in msgs; wrote $manifest"
}

# seed_target <mysql|pg>
seed_target() {
  target=$1
  name=${T_AMAVISD[$target]}
  NONCE=$RUN_ID; [ "$target" = mysql ] || NONCE="$RUN_ID-$target"
  DIR="$TMP/$target"; mkdir -p "$DIR"
  build_mails; send_mails; verify_rows; write_manifest
}

# ---------------------------------------------------------------- run
# The targets run side by side: two amavisd, two databases, separate temp dirs, so nothing
# is shared but Dovecot's LMTP (which takes parallel deliveries). Each one's output is
# kept apart and shown in order once both are done.
declare -A PID
for t in "${TARGETS[@]}"; do
  ( seed_target "$t" ) >"$TMP/$t.out" 2>"$TMP/$t.err" &
  PID[$t]=$!
done
status=0
for t in "${TARGETS[@]}"; do
  wait "${PID[$t]}" || status=1
  cat "$TMP/$t.err" >&2; cat "$TMP/$t.out"
done
[ "$status" = 0 ] || die "seeding failed"
