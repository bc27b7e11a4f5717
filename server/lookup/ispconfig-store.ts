import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { binaryText } from '../amavis/binary';
import { escapeLike, INHERIT_POLICY, ownerWhere, wbRowOf, type JoinedWbRow, type LookupStore } from './lookup-store';

/**
 * ISPConfig 3's lookup tables, which its amavisd reads with its own SELECTs (AQ_LOOKUP_SCHEMA=ispconfig):
 * - `spamfilter_users` is amavis's `users` (email, priority, policy_id, plus `local`, `fullname` and the panel's
 *   sys_* and server_id columns);
 * - `spamfilter_wblist` holds the sender in the row itself (email, priority, wb W/B, active y/n), pointing at
 *   its recipient with rid → spamfilter_users.id: there is no mailaddr table;
 * - `spamfilter_policy` is amavis's `policy`.
 * MySQL/MariaDB only, like ISPConfig. The emails are varchar with a case-insensitive collation; ISPConfig's
 * panel lowercases and punycodes them on save, as we do.
 */

/** The tables and the columns our SQL names (the doctor checks them: lookup-check.ts). */
export const ISPCONFIG_SYS_COLUMNS = ['sys_userid', 'sys_groupid', 'sys_perm_user', 'sys_perm_group', 'sys_perm_other'] as const;

/**
 * ISPConfig's panel offers priorities 1 (lowest) to 10 (highest) and writes 10 for a mailbox's row and 5 for
 * its domain's. Ours (KEY_PRIORITY: 10 address, 5 domain, 3 subdomains, 0 everyone) keep their order within
 * that range: everyone becomes 1.
 */
export const ispconfigPriority = (priority: number) => Math.min(10, Math.max(1, Math.round(priority)));

/** The panel's owner of a row we create, when no row of the same domain has one to copy: ISPConfig's admin user and group. */
const ADMIN = { sysUserId: 1, sysGroupId: 1 };
/** The server a row applies to, when no row at all has one to copy (ISPConfig's first server). */
const FIRST_SERVER = 1;

const JOIN =
  'SELECT w.rid AS rid, w.wblist_id AS sid, u.email AS owner, u.priority AS op, w.email AS sender, w.priority AS sp, w.wb AS wb FROM spamfilter_wblist w JOIN spamfilter_users u ON u.id = w.rid';

/** The domain a users key belongs to ('alice@example.test', '@example.test', '@.example.test' → example.test; '@.' → none). */
const domainOfKey = (key: string) => key.slice(key.lastIndexOf('@') + 1).replace(/^\./, '');

export function createIspconfigLookupStore(sequelize: Sequelize): LookupStore {
  if (!['mysql', 'mariadb'].includes(sequelize.getDialect())) {
    throw new Error(`AQ_LOOKUP_SCHEMA=ispconfig needs ISPConfig's MySQL/MariaDB database in AQ_LOOKUP_DB_URL, not ${sequelize.getDialect()}`);
  }
  const select = <T extends object>(sql: string, replacements: Record<string, unknown>, t?: Transaction) =>
    sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction: t });
  const run = (sql: string, replacements: Record<string, unknown>, t?: Transaction) => sequelize.query(sql, { replacements, transaction: t });

  /**
   * Who owns a new users row in the panel, and which server it is for: copied from a row of the same domain
   * (ISPConfig gives a mailbox's and a domain's rows the domain's client group), so that the client who
   * administers the domain in ISPConfig sees it; else the admin's.
   */
  async function panelOwnerOf(key: string, t: Transaction) {
    const domain = domainOfKey(key);
    const [sibling] = domain
      ? await select<{ sys_userid: number; sys_groupid: number; server_id: number }>(
          'SELECT sys_userid, sys_groupid, server_id FROM spamfilter_users WHERE email = :domainKey OR email LIKE :pattern ORDER BY email = :domainKey DESC, id LIMIT 1',
          { domainKey: `@${domain}`, pattern: `%@${escapeLike(domain)}` },
          t,
        )
      : [];
    if (sibling) return { sysUserId: Number(sibling.sys_userid), sysGroupId: Number(sibling.sys_groupid), serverId: Number(sibling.server_id) };
    const [any] = await select<{ server_id: number }>('SELECT server_id FROM spamfilter_users WHERE server_id > 0 ORDER BY id LIMIT 1', {}, t);
    return { ...ADMIN, serverId: any ? Number(any.server_id) : FIRST_SERVER };
  }

  const store: LookupStore = {
    sequelize,
    schema: 'ispconfig',
    tables: { users: 'spamfilter_users', policy: 'spamfilter_policy' },

    async inheritPolicyId(t) {
      const find = () => select<{ id: number | null }>('SELECT MIN(id) AS id FROM spamfilter_policy WHERE policy_name = :name', { name: INHERIT_POLICY }, t);
      const [found] = await find();
      if (found?.id !== null && found?.id !== undefined) return Number(found.id);
      // ISPConfig 3.2 gives the Y/N columns a default of 'N': every column amavis reads is set NULL explicitly,
      // so that this policy decides nothing and amavis reads on. Readable by every panel client (sys_perm_other 'r'),
      // as ISPConfig's own policies are.
      await run(
        "INSERT INTO spamfilter_policy (sys_userid, sys_groupid, sys_perm_user, sys_perm_group, sys_perm_other, policy_name) VALUES (:u, :g, 'riud', 'riud', 'r', :name)",
        { u: ADMIN.sysUserId, g: ADMIN.sysGroupId, name: INHERIT_POLICY },
        t,
      );
      const [made] = await select<{ id: number }>('SELECT LAST_INSERT_ID() AS id', {}, t);
      const columns = await sequelize.getQueryInterface().describeTable('spamfilter_policy');
      const nullable = Object.entries(columns)
        .filter(([name, c]) => c.allowNull && name !== 'policy_name' && /^[a-z][a-z0-9_]*$/.test(name))
        .map(([name]) => `${name} = NULL`);
      if (nullable.length) await run(`UPDATE spamfilter_policy SET ${nullable.join(', ')} WHERE id = :id`, { id: Number(made?.id) }, t);
      return Number(made?.id);
    },

    async ensureUser(key, priority, t) {
      const existing = (await store.usersOf([key], t)).get(key);
      if (existing) return existing.id;
      const policyId = await store.inheritPolicyId(t);
      const owner = await panelOwnerOf(key, t);
      // As ISPConfig writes a mailbox's and a domain's row: fullname = the key, local 'Y'. A catch-all or
      // subdomain row makes no claim on which domains are local (NULL: amavis reads on).
      const local = key.startsWith('@.') ? null : 'Y';
      await run(
        `INSERT IGNORE INTO spamfilter_users (sys_userid, sys_groupid, sys_perm_user, sys_perm_group, sys_perm_other, server_id, priority, policy_id, email, fullname, local)
           VALUES (:sysUserId, :sysGroupId, 'riud', 'riud', '', :serverId, :priority, :policyId, :key, :fullname, :local)`,
        { ...owner, priority: ispconfigPriority(priority), policyId, key, fullname: key.slice(0, 64), local },
        t,
      );
      const made = (await store.usersOf([key], t)).get(key);
      if (!made) throw new Error(`could not create the spamfilter_users row of ${key}`);
      return made.id;
    },

    async usersOf(keys, t) {
      const out = new Map<string, { id: number; policyId: number; priority: number }>();
      if (!keys.length) return out;
      const rows = await select<{ id: number; email: string; policy_id: number; priority: number }>(
        'SELECT id, email, policy_id, priority FROM spamfilter_users WHERE email IN (:keys)',
        { keys },
        t,
      );
      // The collation is case-insensitive: a row the panel wrote in another case still is this key's.
      for (const r of rows) {
        const key = keys.find((k) => k.toLowerCase() === binaryText(r.email).toLowerCase()) ?? binaryText(r.email);
        out.set(key, { id: Number(r.id), policyId: Number(r.policy_id), priority: Number(r.priority) });
      }
      return out;
    },

    async entries(filter, limit, t) {
      const replacements: Record<string, unknown> = { limit };
      // An inactive row (the panel's "active" unticked) is not read by amavisd: it is no entry.
      const rows = await select<JoinedWbRow>(
        `${JOIN} WHERE w.active = 'y' AND ${ownerWhere(filter, replacements)} ORDER BY w.email, u.email LIMIT :limit`,
        replacements,
        t,
      );
      return rows.map(wbRowOf);
    },

    async entriesOfSender(sender, filter, t) {
      const replacements: Record<string, unknown> = { sender };
      const rows = await select<JoinedWbRow>(`${JOIN} WHERE w.email = :sender AND ${ownerWhere(filter, replacements)} FOR UPDATE`, replacements, t);
      return rows.map(wbRowOf);
    },

    async setWb(rid, sender, wb, t) {
      // spamfilter_wblist has no unique key on (rid, email): the recipient's row is locked, so that two writers
      // of one recipient take turns and neither adds a second row for the same sender.
      const [user] = await select<{ sys_userid: number; sys_groupid: number; server_id: number }>(
        'SELECT sys_userid, sys_groupid, server_id FROM spamfilter_users WHERE id = :rid FOR UPDATE',
        { rid },
        t,
      );
      if (!user) throw new Error(`spamfilter_users row ${rid} is gone`);
      const priority = ispconfigPriority(sender.priority);
      const existing = await select<{ id: number }>('SELECT wblist_id AS id FROM spamfilter_wblist WHERE rid = :rid AND email = :key', { rid, key: sender.key }, t);
      if (existing.length) {
        await run(
          "UPDATE spamfilter_wblist SET wb = :wb, priority = :priority, active = 'y' WHERE rid = :rid AND email = :key",
          { rid, key: sender.key, wb, priority },
          t,
        );
        return;
      }
      // The panel's owner and server of the entry are its recipient's, as when ISPConfig's form saves one.
      await run(
        `INSERT INTO spamfilter_wblist (sys_userid, sys_groupid, sys_perm_user, sys_perm_group, sys_perm_other, server_id, wb, rid, email, priority, active)
           VALUES (:sysUserId, :sysGroupId, 'riud', 'riud', '', :serverId, :wb, :rid, :key, :priority, 'y')`,
        { sysUserId: Number(user.sys_userid), sysGroupId: Number(user.sys_groupid), serverId: Number(user.server_id), wb, rid, key: sender.key, priority },
        t,
      );
    },

    async removeWb(row, t) {
      const [, meta] = (await run('DELETE FROM spamfilter_wblist WHERE wblist_id = :id AND rid = :rid', { id: row.sid, rid: row.rid }, t)) as [unknown, unknown];
      return Number((meta as { affectedRows?: number })?.affectedRows ?? 0);
    },

    transaction: (work) => sequelize.transaction((t) => work(t)),
  };
  return store;
}
