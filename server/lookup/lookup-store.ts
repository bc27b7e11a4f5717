import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { binaryText } from '../amavis/binary';

/** One wblist row with the keys it joins: whose entry (users.email) and for which sender (mailaddr.email). */
export interface WbRow {
  rid: number;
  sid: number;
  owner: string;
  ownerPriority: number;
  sender: string;
  senderPriority: number;
  wb: string;
}

/** Whose entries a query may see, written into its WHERE clause: exact owner keys, and every address of some domains. */
export interface OwnerFilter {
  keys: string[];
  /** Also every `…@domain` owner of these domains (a domain admin's users). */
  addressDomains?: string[];
  /** Every owner (a super user): keys and domains are then ignored. */
  all?: boolean;
}

/** The name of the policy row we point the users rows we create at: every field NULL, so amavis reads on. */
export const INHERIT_POLICY = 'aq:inherit';

/** Whose lookup tables amavisd reads (AQ_LOOKUP_SCHEMA): amavis's own, or ISPConfig's spamfilter_* tables. */
export const LOOKUP_SCHEMAS = ['amavis', 'ispconfig'] as const;
export type LookupSchema = (typeof LOOKUP_SCHEMAS)[number];

/** A sender key and the priority its kind gets (KEY_PRIORITY), as an entry is written for it. */
export interface SenderKey {
  key: string;
  priority: number;
}

/**
 * The SQL lookup tables amavisd reads (@lookup_sql_dsn, AQ_LOOKUP_DB_URL): amavis's own (users, mailaddr,
 * wblist, policy; this file, on MariaDB/MySQL, PostgreSQL or the demo's SQLite) or ISPConfig's
 * (ispconfig-store.ts). The services see the same recipients (users rows), entries and policies in both.
 * The only code with SQL on these tables besides the policy store.
 */
export interface LookupStore {
  readonly sequelize: Sequelize;
  readonly schema: LookupSchema;
  /** The tables of recipients (amavis's users) and of policies, which the policy store reads and writes. */
  readonly tables: { users: string; policy: string };
  /** The id of the users row of `key`, created (with the inherit policy and `priority`) if missing. */
  ensureUser(key: string, priority: number, t: Transaction): Promise<number>;
  /** The users rows of these keys that exist: key → id. */
  usersOf(keys: string[], t?: Transaction): Promise<Map<string, { id: number; policyId: number; priority: number }>>;
  entries(filter: OwnerFilter, limit: number, t?: Transaction): Promise<WbRow[]>;
  /** The rows of one sender key for these owners, locked for update within `t`. */
  entriesOfSender(sender: string, filter: OwnerFilter, t: Transaction): Promise<WbRow[]>;
  /** Lists `sender` as `wb` for the users row `rid` (one entry per recipient and sender: an existing one is changed). */
  setWb(rid: number, sender: SenderKey, wb: string, t: Transaction): Promise<void>;
  /** Removes the entry `row` (as entries/entriesOfSender read it); answers how many rows went. */
  removeWb(row: WbRow, t: Transaction): Promise<number>;
  /** The id of the inherit policy row, created if missing. */
  inheritPolicyId(t: Transaction): Promise<number>;
  transaction<T>(work: (t: Transaction) => Promise<T>): Promise<T>;
}

/** A wblist row as both schemas' joins select it: ids may come back as strings, emails as bytes. */
export interface JoinedWbRow {
  rid: number | string;
  sid: number | string;
  owner: Buffer | string;
  op: number;
  sender: Buffer | string;
  sp: number;
  wb: string;
}

/** A joined row as the services see it: numbers, text, and wb without a CHAR(1)'s padding. */
export const wbRowOf = (r: JoinedWbRow): WbRow => ({
  rid: Number(r.rid),
  sid: Number(r.sid),
  owner: binaryText(r.owner),
  ownerPriority: Number(r.op),
  sender: binaryText(r.sender),
  senderPriority: Number(r.sp),
  wb: String(r.wb).trim(),
});

/** How a database takes an email key as a parameter and reads an email column as text (PostgreSQL's are bytea). */
export interface EmailSql {
  param(name: string): string;
  text(column: string): string;
}

const PLAIN_EMAIL: EmailSql = { param: (name) => `:${name}`, text: (column) => column };

/** An owner filter as a WHERE condition on `u.email` (the users row), its values added to `replacements`. */
export function ownerWhere(filter: OwnerFilter, replacements: Record<string, unknown>, sql: EmailSql = PLAIN_EMAIL): string {
  if (filter.all) return '1=1';
  const parts: string[] = [];
  if (filter.keys.length) {
    parts.push(`u.email IN (${filter.keys.map((_, i) => sql.param(`k${i}`)).join(', ')})`);
    filter.keys.forEach((k, i) => (replacements[`k${i}`] = k));
  }
  (filter.addressDomains ?? []).forEach((d, i) => {
    parts.push(`${sql.text('u.email')} LIKE :d${i}`);
    replacements[`d${i}`] = `%@${escapeLike(d)}`;
  });
  return parts.length ? `(${parts.join(' OR ')})` : '1=0';
}

/** Text matched literally inside a LIKE pattern, by backslash: MariaDB's and PostgreSQL's default escape. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createLookupStore(sequelize: Sequelize): LookupStore {
  const pg = sequelize.getDialect() === 'postgres';
  // The demo's SQLite: no row locks (a write takes the whole database), INSERT OR IGNORE, ON CONFLICT upserts.
  const sqlite = sequelize.getDialect() === 'sqlite';
  /** A key as a parameter of an email column: bytea on PostgreSQL, VARBINARY compares bytes on MariaDB. */
  const bin = (name: string) => (pg ? `convert_to(:${name}, 'UTF8')` : `:${name}`);
  const text = (column: string) => (pg ? `convert_from(${column}, 'UTF8')` : column);
  const emailSql: EmailSql = { param: bin, text };
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>, t?: Transaction) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction: t });
  const run = (sql: string, replacements: Record<string, unknown>, t?: Transaction) => sequelize.query(sql, { replacements, transaction: t });
  const insertIgnore = (table: string, columns: string, values: string) =>
    pg || sqlite
      ? `INSERT ${sqlite ? 'OR IGNORE ' : ''}INTO ${table} (${columns}) VALUES (${values})${pg ? ' ON CONFLICT DO NOTHING' : ''}`
      : `INSERT IGNORE INTO ${table} (${columns}) VALUES (${values})`;

  const JOIN =
    'SELECT w.rid AS rid, w.sid AS sid, u.email AS owner, u.priority AS op, a.email AS sender, a.priority AS sp, w.wb AS wb FROM wblist w JOIN users u ON u.id = w.rid JOIN mailaddr a ON a.id = w.sid';

  /** The id of the mailaddr row of `key`, created with `priority` if missing. */
  async function ensureSender(key: string, priority: number, t: Transaction): Promise<number> {
    const find = async () => (await select<{ id: number }>(`SELECT id FROM mailaddr WHERE email = ${bin('key')}`, { key }, t))[0];
    const found = await find();
    if (found) return Number(found.id);
    await run(insertIgnore('mailaddr', 'email, priority', `${bin('key')}, :priority`), { key, priority }, t);
    const made = await find();
    if (!made) throw new Error(`could not create the mailaddr row of ${key}`);
    return Number(made.id);
  }

  const store: LookupStore = {
    sequelize,
    schema: 'amavis',
    tables: { users: 'users', policy: 'policy' },
    async inheritPolicyId(t) {
      const find = () => select<{ id: number }>('SELECT MIN(id) AS id FROM policy WHERE policy_name = :name', { name: INHERIT_POLICY }, t);
      const [found] = await find();
      if (found?.id !== null && found?.id !== undefined) return Number(found.id);
      await run('INSERT INTO policy (policy_name) VALUES (:name)', { name: INHERIT_POLICY }, t);
      const [made] = await find();
      return Number(made?.id);
    },
    async ensureUser(key, priority, t) {
      const existing = (await store.usersOf([key], t)).get(key);
      if (existing) return existing.id;
      const policyId = await store.inheritPolicyId(t);
      await run(
        insertIgnore('users', 'email, priority, policy_id, fullname', `${bin('key')}, :priority, :policyId, :fullname`),
        { key, priority, policyId, fullname: 'amavis-quarantine' },
        t,
      );
      const made = (await store.usersOf([key], t)).get(key);
      if (!made) throw new Error(`could not create the users row of ${key}`);
      return made.id;
    },
    async usersOf(keys, t) {
      const out = new Map<string, { id: number; policyId: number; priority: number }>();
      if (!keys.length) return out;
      const replacements: Record<string, unknown> = {};
      const where = ownerWhere({ keys }, replacements, emailSql);
      const rows = await select<{ id: number; email: Buffer | string; policy_id: number; priority: number }>(
        `SELECT u.id AS id, u.email AS email, u.policy_id AS policy_id, u.priority AS priority FROM users u WHERE ${where}`,
        replacements,
        t,
      );
      for (const r of rows) out.set(binaryText(r.email), { id: Number(r.id), policyId: Number(r.policy_id), priority: Number(r.priority) });
      return out;
    },
    async entries(filter, limit, t) {
      const replacements: Record<string, unknown> = { limit };
      const rows = await select<JoinedWbRow>(`${JOIN} WHERE ${ownerWhere(filter, replacements, emailSql)} ORDER BY a.email, u.email LIMIT :limit`, replacements, t);
      return rows.map(wbRowOf);
    },
    async entriesOfSender(sender, filter, t) {
      const replacements: Record<string, unknown> = { sender };
      const rows = await select<JoinedWbRow>(
        `${JOIN} WHERE a.email = ${bin('sender')} AND ${ownerWhere(filter, replacements, emailSql)}${sqlite ? '' : ' FOR UPDATE'}`,
        replacements,
        t,
      );
      return rows.map(wbRowOf);
    },
    async setWb(rid, sender, wb, t) {
      const sid = await ensureSender(sender.key, sender.priority, t);
      await run(
        pg || sqlite
          ? 'INSERT INTO wblist (rid, sid, wb) VALUES (:rid, :sid, :wb) ON CONFLICT (rid, sid) DO UPDATE SET wb = EXCLUDED.wb'
          : 'INSERT INTO wblist (rid, sid, wb) VALUES (:rid, :sid, :wb) ON DUPLICATE KEY UPDATE wb = VALUES(wb)',
        { rid, sid, wb },
        t,
      );
    },
    async removeWb({ rid, sid }, t) {
      const [, meta] = (await run('DELETE FROM wblist WHERE rid = :rid AND sid = :sid', { rid, sid }, t)) as [unknown, unknown];
      if (sqlite) return Number((meta as { changes?: number })?.changes ?? 1);
      return pg ? Number((meta as { rowCount?: number })?.rowCount ?? 0) : Number((meta as { affectedRows?: number })?.affectedRows ?? 0);
    },
    transaction: (work) => sequelize.transaction((t) => work(t)),
  };
  return store;
}
