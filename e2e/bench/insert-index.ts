import { readdirSync, readFileSync } from 'node:fs';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createCleanupStore } from '../../server/amavis/cleanup-sql';
import { amavisDialect } from '../../server/amavis/dialect';
import { dropListIndexDdl, listIndexDdl } from '../../server/amavis/list-index-ddl';
import { createListIndexer, readListIndexState } from '../../server/amavis/list-indexer';

/** Whether the list index (aq_list and its state table) is installed in this amavis database. */
export async function listIndexInstalled(sequelize: Sequelize): Promise<boolean> {
  return (await readListIndexState(sequelize)) !== undefined;
}

/** Removes the list index (what `npm run migrate -- --down` runs). */
export async function dropListIndex(sequelize: Sequelize): Promise<void> {
  for (const sql of dropListIndexDdl()) await sequelize.query(sql);
}

/**
 * Installs the list index (what `npm run migrate` runs) and builds it (`--build`), so that a round starts
 * with the indexer in its steady state: one sweep a turn, not the first build.
 */
export async function installListIndex(sequelize: Sequelize): Promise<void> {
  const dialect = await amavisDialect(sequelize);
  for (const sql of listIndexDdl(dialect)) await sequelize.query(sql);
  const indexer = createListIndexer(sequelize);
  for (let turn = 0; !(await readListIndexState(sequelize))?.ready; turn++) {
    if (turn >= 100) throw new Error('the list index was not built after 100 turns');
    if (!(await indexer.runOnce())) await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const count = async (sequelize: Sequelize, sql: string, prefix: string) => {
  const [row] = await sequelize.query<{ n: number | string }>(sql, { type: QueryTypes.SELECT, replacements: { pattern: `${prefix}%` } });
  return Number(row?.n ?? 0);
};

/** The messages whose Message-Id starts with `prefix` that amavisd has finished (content set), and how many of them it quarantined. */
export async function storedCount(sequelize: Sequelize, prefix: string): Promise<{ stored: number; quarantined: number }> {
  const [row] = await sequelize.query<{ n: number | string; q: number | string | null }>(
    "SELECT COUNT(*) AS n, SUM(CASE WHEN quar_type = 'Q' THEN 1 ELSE 0 END) AS q FROM msgs WHERE message_id LIKE :pattern AND content IS NOT NULL",
    { type: QueryTypes.SELECT, replacements: { pattern: `${prefix}%` } },
  );
  return { stored: Number(row?.n ?? 0), quarantined: Number(row?.q ?? 0) };
}

/** How many of those messages have a row in the list table, counted by mail_id. */
export function listedCount(sequelize: Sequelize, prefix: string): Promise<number> {
  return count(
    sequelize,
    `SELECT COUNT(DISTINCT m.mail_id) AS n FROM msgs m
       JOIN aq_list l ON l.partition_tag = m.partition_tag AND l.mail_id = m.mail_id
      WHERE m.message_id LIKE :pattern`,
    prefix,
  );
}

/**
 * Deletes the bench's mails (Message-Id starting with `prefix`) and then its addresses (maddr rows whose
 * email starts with one of `addressPrefixes`, once nothing uses them) through the retention cleanup's own
 * store (server/amavis/cleanup-sql.ts), in its table order: quarantine, msgrcpt, then msgs.
 */
export async function deleteBenchMails(sequelize: Sequelize, prefix: string, addressPrefixes: string[]): Promise<{ messages: number; addresses: number }> {
  const store = createCleanupStore(sequelize);
  const keys = await sequelize.query<{ partition_tag: number; mail_id: Buffer | string }>('SELECT partition_tag, mail_id FROM msgs WHERE message_id LIKE :pattern', {
    type: QueryTypes.SELECT,
    replacements: { pattern: `${prefix}%` },
  });
  let messages = 0;
  for (let i = 0; i < keys.length; i += 100) {
    const batch = keys.slice(i, i + 100);
    for (const p of new Set(batch.map((k) => Number(k.partition_tag)))) {
      const ids = batch.filter((k) => Number(k.partition_tag) === p).map((k) => k.mail_id);
      messages += await store.transaction(async (t) => {
        await store.messages.deleteRows('quarantine', p, ids, t);
        await store.messages.deleteRows('msgrcpt', p, ids, t);
        return store.messages.deleteRows('msgs', p, ids, t);
      });
    }
  }
  let addresses = 0;
  for (const addressPrefix of addressPrefixes) {
    const rows = await sequelize.query<{ id: number | string }>('SELECT id FROM maddr WHERE email LIKE :pattern', {
      type: QueryTypes.SELECT,
      replacements: { pattern: `${addressPrefix}%` },
    });
    const ids = rows.map((r) => String(r.id));
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      addresses += await store.transaction(async (t) => {
        const used = await store.addresses.usedAddressIds(batch, t);
        const unused = batch.filter((id) => !used.has(id));
        return unused.length > 0 ? store.addresses.deleteAddresses(unused, t) : 0;
      });
    }
  }
  return { messages, addresses };
}

const TICK = 100; // USER_HZ: /proc times are in 1/100 s on Linux

/**
 * CPU seconds used so far by the database server's processes (mariadbd, or every postgres process),
 * children they reaped included (PostgreSQL's postmaster collects the time of backends that exited).
 * The server is shared by the machine: other databases' work counts too.
 */
export function databaseCpuSeconds(kind: 'mariadb' | 'postgres'): number {
  const names = kind === 'mariadb' ? ['mariadbd', 'mysqld'] : ['postgres'];
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      if (!names.includes(name)) continue;
      // Fields after the name, from field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
      const fields = stat.slice(close + 2).split(' ');
      for (const f of [11, 12, 13, 14]) ticks += Number(fields[f] ?? 0);
    } catch {
      // The process ended while we read: its time is in its parent's cutime once reaped.
    }
  }
  return ticks / TICK;
}
