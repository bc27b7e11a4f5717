import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * The shape of MailZu's quarantine listing, the baseline the benchmark compares us against.
 *
 * Source: MailZu 0.8 (the classic PHP quarantine for amavisd-new), `lib/DBEngine.class.php`,
 * `DBEngine::get_user_messages()`, called by `messagesIndex.php` ("My Quarantine") with
 * `$order = 'msgs.time_num'`, `$vert = 'DESC'`, `rs_option = 0`. The same query survives in
 * mailzu-ng's `lib/classes/DBEngine.class.php`. Its shape:
 *
 *   SELECT msgs.time_num, msgs.from_addr, msgs.mail_id, msgs.subject, msgs.spam_level, msgs.content,
 *          msgrcpt.rs, msgs.quar_type, recip.email
 *   FROM msgs
 *   INNER JOIN msgrcpt      ON msgs.mail_id = msgrcpt.mail_id     -- mail_id only, no partition_tag
 *   LEFT JOIN maddr sender  ON msgs.sid = sender.id               -- joined, never read
 *   LEFT JOIN maddr recip   ON msgrcpt.rid = recip.id             -- "MySQL seems to run faster with a LEFT JOIN"
 *   WHERE msgs.content IN ('S','B'[,'H'][,'V'])                   -- 'A' (all) for a user; H, V by config
 *     AND (recip.email IN ('a@x', ...) [OR recip.email LIKE 'a+%@x' ...])  -- LIKE with recipient_delimiter
 *     AND msgrcpt.rs IN ('', 'v')                                 -- new and read
 *     AND msgs.quar_type <> ''
 *   ORDER BY msgs.time_num DESC
 *
 * There is no LIMIT: PHP buffers every matching row, counts them for the pager (numRows) and keeps
 * the 50 of the requested page (`displaySizeLimit`), so page 1 costs as much as the whole list. MailZu
 * pastes the addresses into the SQL text; this is our own parameterized equivalent with the same
 * joins, predicates and ordering, so the server does the same work.
 *
 * On a stock amavis schema this plan scans msgs in full: msgs.mail_id is the second column of the
 * primary key, maddr.email the second of its unique key, so neither side can be entered by index.
 */
export interface MailzuListOptions {
  /** The user's addresses (MailZu's `$_SESSION['sessionMail']`). */
  addresses: string[];
  /** msgs.content codes listed; MailZu's 'A' for a user with allowBadHeaders and allowViruses. */
  contents?: string[];
  /** MailZu's `$conf['recipient_delimiter']`: adds `OR recip.email LIKE 'local+%@domain'` per address. */
  recipientDelimiter?: string;
  /** Zero-based page, of `pageSize` rows (MailZu's displaySizeLimit, 50). */
  page?: number;
  pageSize?: number;
}

/** MailZu's default content filter for a user: spam and banned, plus bad header and virus when allowed. */
export const MAILZU_USER_CONTENTS = ['S', 'B', 'H', 'V'];

/** Builds the MailZu-shaped listing query with `?` replacements. */
export function buildMailzuListQuery(options: MailzuListOptions): { sql: string; replacements: string[] } {
  const contents = options.contents ?? MAILZU_USER_CONTENTS;
  const replacements: string[] = [...contents, ...options.addresses];
  const emailMatch = [`recip.email IN (${options.addresses.map(() => '?').join(', ')})`];
  if (options.recipientDelimiter) {
    for (const address of options.addresses) {
      const at = address.lastIndexOf('@');
      emailMatch.push('recip.email LIKE ?');
      replacements.push(`${address.slice(0, at)}${options.recipientDelimiter}%${address.slice(at)}`);
    }
  }
  const sql = `SELECT msgs.time_num, msgs.from_addr, msgs.mail_id, msgs.subject, msgs.spam_level, msgs.content,
      msgrcpt.rs, msgs.quar_type, recip.email
    FROM msgs
    INNER JOIN msgrcpt ON msgs.mail_id = msgrcpt.mail_id
    LEFT JOIN maddr AS sender ON msgs.sid = sender.id
    LEFT JOIN maddr AS recip ON msgrcpt.rid = recip.id
    WHERE msgs.content IN (${contents.map(() => '?').join(', ')})
      AND (${emailMatch.join(' OR ')})
      AND msgrcpt.rs IN ('', 'v')
      AND msgs.quar_type <> ''
    ORDER BY msgs.time_num DESC`;
  return { sql, replacements };
}

/** Runs the MailZu-shaped listing the way MailZu does: fetch every row, count, keep one page. */
export async function listLikeMailzu(sequelize: Sequelize, options: MailzuListOptions): Promise<{ total: number; page: object[] }> {
  const { sql, replacements } = buildMailzuListQuery(options);
  const rows = await sequelize.query<object>(sql, { replacements, type: QueryTypes.SELECT, raw: true });
  const pageSize = options.pageSize ?? 50;
  const from = (options.page ?? 0) * pageSize;
  return { total: rows.length, page: rows.slice(from, from + pageSize) };
}
