/**
 * amavisd-new's storage tables for the SQLite demo: the same columns as README.sql-mysql, with BLOB
 * where amavis uses VARBINARY, and the indexes the listing relies on.
 */
export const DEMO_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS maddr (
    partition_tag INTEGER DEFAULT 0, id INTEGER PRIMARY KEY AUTOINCREMENT, email BLOB NOT NULL, domain TEXT NOT NULL,
    UNIQUE (partition_tag, email))`,
  `CREATE TABLE IF NOT EXISTS msgs (
    partition_tag INTEGER DEFAULT 0, mail_id BLOB NOT NULL, secret_id BLOB DEFAULT '', am_id TEXT NOT NULL,
    time_num INTEGER NOT NULL, time_iso TEXT NOT NULL, sid INTEGER NOT NULL, policy TEXT DEFAULT '',
    client_addr TEXT DEFAULT '', size INTEGER NOT NULL, originating TEXT DEFAULT ' ' NOT NULL, content TEXT,
    quar_type TEXT, quar_loc BLOB DEFAULT '', dsn_sent TEXT, spam_level REAL, message_id TEXT DEFAULT '',
    from_addr TEXT DEFAULT '', subject TEXT DEFAULT '', host TEXT NOT NULL,
    PRIMARY KEY (partition_tag, mail_id))`,
  'CREATE INDEX IF NOT EXISTS msgs_idx_sid ON msgs (sid)',
  'CREATE INDEX IF NOT EXISTS msgs_idx_mess_id ON msgs (message_id)',
  'CREATE INDEX IF NOT EXISTS msgs_idx_time_num ON msgs (time_num)',
  `CREATE TABLE IF NOT EXISTS msgrcpt (
    partition_tag INTEGER DEFAULT 0, mail_id BLOB NOT NULL, rseqnum INTEGER DEFAULT 0 NOT NULL, rid INTEGER NOT NULL,
    is_local TEXT DEFAULT ' ' NOT NULL, content TEXT DEFAULT ' ' NOT NULL, ds TEXT NOT NULL, rs TEXT NOT NULL,
    bl TEXT DEFAULT ' ', wl TEXT DEFAULT ' ', bspam_level REAL, smtp_resp TEXT DEFAULT '',
    PRIMARY KEY (partition_tag, mail_id, rseqnum))`,
  'CREATE INDEX IF NOT EXISTS msgrcpt_idx_mail_id ON msgrcpt (mail_id)',
  'CREATE INDEX IF NOT EXISTS msgrcpt_idx_rid ON msgrcpt (rid)',
  `CREATE TABLE IF NOT EXISTS quarantine (
    partition_tag INTEGER DEFAULT 0, mail_id BLOB NOT NULL, chunk_ind INTEGER NOT NULL, mail_text BLOB NOT NULL,
    PRIMARY KEY (partition_tag, mail_id, chunk_ind))`,
];
