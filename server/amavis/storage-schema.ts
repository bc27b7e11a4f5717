/**
 * What the server needs of amavisd's storage schema, in one place: the doctor checks it, and the
 * services rely on it.
 */
export const REQUIRED_COLUMNS: Record<string, readonly string[]> = {
  maddr: ['partition_tag', 'id', 'email', 'domain'],
  msgs: ['partition_tag', 'mail_id', 'secret_id', 'time_num', 'sid', 'content', 'quar_type', 'spam_level', 'from_addr', 'subject', 'host'],
  msgrcpt: ['partition_tag', 'mail_id', 'rseqnum', 'rid', 'content', 'ds', 'rs'],
  quarantine: ['partition_tag', 'mail_id', 'chunk_ind', 'mail_text'],
};

/**
 * Columns that README.sql-pg declares bytea (binary, no character set). Older PostgreSQL schemas had
 * them as text, which the doctor reports with the conversion README.sql-pg gives.
 */
export const BINARY_COLUMNS: Record<string, readonly string[]> = {
  maddr: ['email'],
  msgs: ['mail_id', 'secret_id'],
  msgrcpt: ['mail_id'],
  quarantine: ['mail_id', 'mail_text'],
};

/**
 * Indexes the listing depends on. README.sql-mysql and README.sql-pg create all of them; an old or hand-made schema
 * may lack one, and then every listing scans a table.
 */
export const RECOMMENDED_INDEXES: ReadonlyArray<{ table: string; leading: readonly string[]; why: string; create: string }> = [
  {
    table: 'msgrcpt',
    leading: ['rid'],
    why: 'finds a user\u2019s recipient rows without scanning msgrcpt',
    create: 'CREATE INDEX msgrcpt_idx_rid ON msgrcpt (rid);',
  },
  {
    table: 'msgrcpt',
    leading: ['mail_id'],
    why: 'joins recipient rows to their message',
    create: 'CREATE INDEX msgrcpt_idx_mail_id ON msgrcpt (mail_id);',
  },
  {
    table: 'msgs',
    leading: ['time_num'],
    why: 'lists the newest mail first, and lets cleanup find old mail',
    create: 'CREATE INDEX msgs_idx_time_num ON msgs (time_num);',
  },
  {
    table: 'maddr',
    leading: ['partition_tag', 'email'],
    why: 'resolves a user\u2019s address to its maddr ids by exact match',
    create: 'CREATE UNIQUE INDEX part_email ON maddr (partition_tag, email);',
  },
];
