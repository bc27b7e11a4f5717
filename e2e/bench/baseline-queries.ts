import type { BenchKind } from './bench-db';

/**
 * The listing statements of the two open-source quarantine managers, for the same questions the bench
 * asks of ours. Both fetch every matching row and cut the page in the application (MailZu in PHP,
 * modoboa by evaluating the whole Django queryset with len()), so page 1, page 20 and the total cost the
 * same statement; neither has a date window.
 */
export interface BaselineQuestion {
  /** One content code (a type filter), or none: the tool's default types. */
  content?: string;
  /** Pending release requests only (rs = 'p'): MailZu's rs_option 1, modoboa's viewrequests. */
  pending?: boolean;
  order: 'date' | 'score' | 'sender' | 'subject';
  dir: 'asc' | 'desc';
  /** A search term (substring, case-insensitive). */
  search?: string;
  /** A sender, matched as a substring of the From header. */
  from?: string;
}

/** Whose rows: a user's one address, a domain (modoboa's domain admin), or everyone. */
export type BaselineScope = { kind: 'address'; email: string } | { kind: 'domain'; domain: string } | { kind: 'all' };

type Escape = (value: unknown) => string;

// Users' +extension addresses belong to them (Postfix's recipient_delimiter), as in scenarios.ts.
const DELIMITER = '+';

const like = (escape: Escape, text: string) => escape(`%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);

/**
 * MailZu 0.8's `DBEngine::get_user_messages()` (lib/DBEngine.class.php), as mailzu-query.ts describes:
 * msgs joined to msgrcpt on mail_id alone, maddr for sender and recipient (LEFT JOIN on MySQL), the
 * recipient's addresses pasted in (with `local+%@domain` LIKEs), content IN the allowed types or one type,
 * rs IN ('', 'v') or rs = 'p', `ORDER BY $order $vert` on msgs.time_num, from_addr, subject or spam_level,
 * and the search form's filters as `AND column LIKE '%term%'` (subject for a search, from_addr for a sender).
 * A super user is MailZu's admin ($msgs_all: no recipient clause, content IN ('S','B','V','H')). MailZu
 * has no domain admin: undefined.
 */
export function mailzuSql(kind: BenchKind, scope: BaselineScope, q: BaselineQuestion, escape: Escape): string | undefined {
  if (scope.kind === 'domain') return undefined;
  const join = kind === 'mariadb' ? 'LEFT JOIN' : 'INNER JOIN';
  const where = [q.content ? `msgs.content = ${escape(q.content)}` : "msgs.content IN ('S', 'B', 'H', 'V')"];
  if (scope.kind === 'address') {
    const at = scope.email.lastIndexOf('@');
    const plus = `${scope.email.slice(0, at)}${DELIMITER}%${scope.email.slice(at)}`;
    where.push(`(recip.email IN (${escape(scope.email)}) OR recip.email LIKE ${escape(plus)})`);
  }
  where.push(q.pending ? "msgrcpt.rs = 'p'" : "msgrcpt.rs IN ('', 'v')");
  if (q.search) where.push(`msgs.subject LIKE ${like(escape, q.search)}`);
  if (q.from) where.push(`msgs.from_addr LIKE ${like(escape, q.from)}`);
  where.push("msgs.quar_type <> ''");
  const order = { date: 'msgs.time_num', score: 'msgs.spam_level', sender: 'msgs.from_addr', subject: 'msgs.subject' }[q.order];
  return `SELECT msgs.time_num, msgs.from_addr, msgs.mail_id, msgs.subject, msgs.spam_level, msgs.content, msgrcpt.rs, msgs.quar_type, recip.email
  FROM msgs
  INNER JOIN msgrcpt ON msgs.mail_id = msgrcpt.mail_id
  ${join} maddr AS sender ON msgs.sid = sender.id
  ${join} maddr AS recip ON msgrcpt.rid = recip.id
  WHERE ${where.join('\n    AND ')}
  ORDER BY ${order} ${q.dir.toUpperCase()}`;
}

/**
 * modoboa-amavis's listing (modoboa_amavis/sql_connector.py, `SQLconnector._get_quarantine_content()`,
 * then `messages_count()`, which orders the queryset and takes len() of it: every row is fetched). The
 * shape of the SQL Django writes for it:
 * - `Msgrcpt.objects.select_related("mail", "rid")`: msgrcpt INNER JOIN msgs ON mail_id alone (the
 *   model's primary key is mail_id) INNER JOIN maddr ON rid;
 * - rs IN (' ', 'V', 'R', 'p', 'S', 'H'), or rs = 'p' for the requests view;
 * - a simple user: the recipient address converted to text (ConvertFrom: MySQL CONVERT(… USING utf8),
 *   PostgreSQL convert_from(…, 'UTF8')) matched by an unanchored regular expression of the user's
 *   addresses, with `local+.*@domain` for extensions; a domain admin: maddr.domain IN (the reversed
 *   domains); a super user: nothing;
 * - a search: icontains (LIKE '%x%' on MySQL's case-insensitive collation, UPPER(…) LIKE UPPER(…) on
 *   PostgreSQL) on from_addr, subject and the converted recipient, ORed (criteria "both"); a sender
 *   search is the same on from_addr alone (its default criteria);
 * - a type: msgrcpt.content = the code;
 * - order: msgs.time_num, msgrcpt.bspam_level, msgs.from_addr or msgs.subject;
 * - `mail IN (SELECT mail_id FROM quarantine WHERE chunk_ind = 1)`: the bench's quarantine table is empty
 *   (listing never reads it), so msgs.quar_type = 'Q' stands in for it, which spares modoboa the
 *   semi-join over a million-row quarantine table: its figures are a lower bound.
 */
export function modoboaSql(kind: BenchKind, scope: BaselineScope, q: BaselineQuestion, escape: Escape): string {
  const text = (col: string) => (kind === 'mariadb' ? `CONVERT(${col} USING utf8mb4)` : `convert_from(${col}, 'UTF8')`);
  const icontains = (col: string, term: string) => (kind === 'mariadb' ? `${col} LIKE ${like(escape, term)}` : `UPPER(${col}::text) LIKE UPPER(${like(escape, term)})`);
  const where = [q.pending ? "mr.rs = 'p'" : "mr.rs IN (' ', 'V', 'R', 'p', 'S', 'H')"];
  if (scope.kind === 'address') {
    const at = scope.email.lastIndexOf('@');
    const quote = (s: string) => s.replace(/[.+*?^$()[\]{}|\\]/g, (ch) => `\\${ch}`);
    const re = `(${quote(scope.email.slice(0, at))}\\${DELIMITER}.*@${scope.email.slice(at + 1)}|${scope.email})`;
    where.push(kind === 'mariadb' ? `${text('r.email')} REGEXP BINARY ${escape(re)}` : `${text('r.email')}::text ~ ${escape(re)}`);
  } else if (scope.kind === 'domain') {
    where.push(`r.domain IN (${escape(scope.domain.split('.').reverse().join('.'))})`);
  }
  if (q.search) where.push(`(${icontains('m.from_addr', q.search)} OR ${icontains('m.subject', q.search)} OR ${icontains(text('r.email'), q.search)})`);
  if (q.from) where.push(icontains('m.from_addr', q.from));
  if (q.content) where.push(`mr.content = ${escape(q.content)}`);
  where.push("m.quar_type = 'Q'");
  const order = { date: 'm.time_num', score: 'mr.bspam_level', sender: 'm.from_addr', subject: 'm.subject' }[q.order];
  return `SELECT mr.content, mr.bspam_level, mr.rs, r.email, m.from_addr, m.subject, m.mail_id, m.time_num
  FROM msgrcpt mr
  INNER JOIN msgs m ON mr.mail_id = m.mail_id
  INNER JOIN maddr r ON mr.rid = r.id
  WHERE ${where.join('\n    AND ')}
  ORDER BY ${order} ${q.dir.toUpperCase()}`;
}
