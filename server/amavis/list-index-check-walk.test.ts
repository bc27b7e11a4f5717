import { QueryTypes, Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { DEMO_SCHEMA } from '../demo/schema';
import { LIST_CHECK_TABLE, listIndexDdl } from './list-index-ddl';
import { checkKeySliceSql } from './list-index-sql';
import { createListIndexer } from './list-indexer';

const NOW = 1_800_000_000;

/** An SQLite amavis database (the demo's schema) with `n` quarantined spam copies for one recipient, and the list index installed. */
async function quarantine(n: number): Promise<Sequelize> {
  const db = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  for (const sql of [...DEMO_SCHEMA, ...listIndexDdl('sqlite')]) await db.query(sql);
  await db.query("INSERT INTO maddr (id, email, domain) VALUES (1, 'alice@example.test', 'test.example'), (2, 'spammer@example.net', 'net.example')");
  for (let i = 0; i < n; i++) {
    // Random-looking ids, as amavis makes them: the key order is not the arrival order.
    const mailId = Buffer.from(`m${((i * 7919) % 1000).toString().padStart(3, '0')}-${i}`);
    await db.query(
      `INSERT INTO msgs (mail_id, am_id, time_num, time_iso, sid, size, content, quar_type, subject, host)
       VALUES (:m, 'a', :t, '', 2, 100, 'S', 'Q', :s, 'h')`,
      { replacements: { m: mailId, t: NOW - 1000 + i, s: `spam ${i}` } },
    );
    await db.query("INSERT INTO msgrcpt (mail_id, rseqnum, rid, content, ds, rs, bspam_level) VALUES (:m, 1, 1, 'S', 'D', ' ', 9)", { replacements: { m: mailId } });
  }
  return db;
}

const rows = async (db: Sequelize) => db.query<{ mail_id: Buffer; rs: string }>('SELECT mail_id, rs FROM aq_list ORDER BY mail_id', { type: QueryTypes.SELECT });
const cursor = async (db: Sequelize) =>
  (await db.query<{ mail_id: Buffer }>(`SELECT mail_id FROM ${LIST_CHECK_TABLE}`, { type: QueryTypes.SELECT })).map((r) => Buffer.from(r.mail_id).toString());

describe('the rotating check in key order', () => {
  it('walks the list table by key, a slice a turn, resuming after the last key even when its row went, and starts over after a short slice', async () => {
    const db = await quarantine(10);
    try {
      const indexer = createListIndexer(db, { checkBatch: 3 });
      // Build, then one sweep: its check reads the first three keys.
      while (!(await indexer.runOnce(NOW))) await new Promise((resolve) => setTimeout(resolve, 10));
      await indexer.runOnce(NOW);
      const keys = (await rows(db)).map((r) => Buffer.from(r.mail_id).toString());
      expect(keys).toHaveLength(10);
      expect(await cursor(db)).toEqual([keys[2]]);

      // Changes made behind the index's back (another tool, amavis's own scripts): the next keys' copy is
      // deleted, and a later one released. The check's cursor row (keys[2]) is itself dropped from the list.
      await db.query("UPDATE msgrcpt SET rs = 'D' WHERE mail_id = :m", { replacements: { m: Buffer.from(keys[3]!) } });
      await db.query("UPDATE msgrcpt SET rs = 'R' WHERE mail_id = :m", { replacements: { m: Buffer.from(keys[7]!) } });
      await db.query('DELETE FROM aq_list WHERE mail_id = :m', { replacements: { m: Buffer.from(keys[2]!) } });

      await indexer.runOnce(NOW);
      // keys[3..5] were checked: the deleted copy left the list, and the pass went on past the dropped cursor row.
      expect((await rows(db)).map((r) => Buffer.from(r.mail_id).toString())).not.toContain(keys[3]);
      expect(await cursor(db)).toEqual([keys[5]]);
      await indexer.runOnce(NOW);
      expect((await rows(db)).find((r) => Buffer.from(r.mail_id).toString() === keys[7])?.rs).toBe('R');
      expect(await cursor(db)).toEqual([keys[8]]);
      // The last slice is short: the pass ends, and the next turn starts again from the first key (its
      // three rows: keys[2] and keys[3] have left the list).
      await indexer.runOnce(NOW);
      expect(await cursor(db)).toEqual([]);
      await indexer.runOnce(NOW);
      expect(await cursor(db)).toEqual([keys[4]]);
    } finally {
      await db.close();
    }
  });

  it('continues after a key: written out for MariaDB, MySQL and SQLite, a row comparison on PostgreSQL', () => {
    for (const dialect of ['mariadb', 'mysql', 'sqlite'] as const) {
      expect(checkKeySliceSql(dialect, 2000, true)).toContain(
        'WHERE (l.partition_tag > :p OR (l.partition_tag = :p AND (l.mail_id > :m OR (l.mail_id = :m AND l.rseqnum > :r)))) ORDER BY l.partition_tag, l.mail_id, l.rseqnum LIMIT 2000',
      );
    }
    expect(checkKeySliceSql('postgres', 2000, true)).toContain(
      'WHERE (l.partition_tag, l.mail_id, l.rseqnum) > (:p, :m, :r) ORDER BY l.partition_tag, l.mail_id, l.rseqnum LIMIT 2000',
    );
    expect(checkKeySliceSql('postgres', 2000, false)).not.toContain('WHERE');
  });
});
