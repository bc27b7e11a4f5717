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
  // amavis's lookup tables (README.sql-mysql): sender lists (users, mailaddr, wblist) and spam policies.
  `CREATE TABLE IF NOT EXISTS policy (
    id INTEGER PRIMARY KEY AUTOINCREMENT, policy_name TEXT,
    virus_lover TEXT, spam_lover TEXT, unchecked_lover TEXT, banned_files_lover TEXT, bad_header_lover TEXT, bypass_virus_checks TEXT, bypass_spam_checks TEXT, bypass_banned_checks TEXT, bypass_header_checks TEXT, warnvirusrecip TEXT, warnbannedrecip TEXT, warnbadhrecip TEXT,
    virus_quarantine_to TEXT, spam_quarantine_to TEXT, banned_quarantine_to TEXT, unchecked_quarantine_to TEXT, bad_header_quarantine_to TEXT, clean_quarantine_to TEXT, archive_quarantine_to TEXT, addr_extension_virus TEXT, addr_extension_spam TEXT, addr_extension_banned TEXT, addr_extension_bad_header TEXT, newvirus_admin TEXT, virus_admin TEXT, banned_admin TEXT, bad_header_admin TEXT, spam_admin TEXT, spam_subject_tag TEXT, spam_subject_tag2 TEXT, spam_subject_tag3 TEXT, banned_rulenames TEXT, disclaimer_options TEXT, forward_method TEXT, sa_userconf TEXT, sa_username TEXT,
    spam_tag_level REAL, spam_tag2_level REAL, spam_tag3_level REAL, spam_kill_level REAL, spam_dsn_cutoff_level REAL, spam_quarantine_cutoff_level REAL, message_size_limit INTEGER)`,
  `CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT, priority INTEGER NOT NULL DEFAULT 7, policy_id INTEGER NOT NULL DEFAULT 1, email BLOB NOT NULL UNIQUE, fullname TEXT)`,
  'CREATE TABLE IF NOT EXISTS mailaddr (id INTEGER PRIMARY KEY AUTOINCREMENT, priority INTEGER NOT NULL DEFAULT 7, email BLOB NOT NULL UNIQUE)',
  'CREATE TABLE IF NOT EXISTS wblist (rid INTEGER NOT NULL, sid INTEGER NOT NULL, wb TEXT NOT NULL, PRIMARY KEY (rid, sid))',
];
