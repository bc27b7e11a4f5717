import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCHEMA } from '../demo/schema';
import { seedDemo } from '../demo/seed';
import { listIndexDdl } from './list-index-ddl';
import { createListIndexer } from './list-indexer';
import { createRsWriter } from './rs';
import { createStatsStore } from './stats-query';

// The rollup's bookkeeping on the demo's SQLite amavis database (the same statements as the real ones
// but for the dialect's words): each listed copy counts once however often the sweeps see it again, and an
// rs change counts at the indexer's next turn. MariaDB and PostgreSQL: e2e/integration/stats.test.ts.
describe('the statistics rollup (SQLite)', () => {
  let sequelize: Sequelize;
  const site = async () => {
    const rows = (await createStatsStore(sequelize).days({ kind: 's' }, 0, 1_000_000))!;
    const sum = (key: 'quarantined' | 'released' | 'requested' | 'deleted') => rows.reduce((n, r) => n + r[key], 0);
    return { quarantined: sum('quarantined'), released: sum('released'), requested: sum('requested'), deleted: sum('deleted') };
  };
  const heldCopies = async () =>
    Number(
      (
        await sequelize.query<{ n: number }>(
          `SELECT COUNT(*) AS n FROM msgs m JOIN msgrcpt mr ON mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id
            WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND COALESCE(mr.content, '') <> 'C' AND mr.rs <> 'D'`,
          { type: QueryTypes.SELECT },
        )
      )[0]?.n,
    );

  beforeAll(async () => {
    sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    for (const statement of DEMO_SCHEMA) await sequelize.query(statement);
    await seedDemo(sequelize, path.join(import.meta.dirname, '../demo/samples'));
    for (const statement of listIndexDdl('sqlite')) await sequelize.query(statement);
  });
  afterAll(() => sequelize.close());

  it('counts each listed copy once, through the build and every sweep after it, and each change once', async () => {
    const indexer = createListIndexer(sequelize, { chunkSize: 3 });
    const now = Math.floor(Date.now() / 1000);
    // The first build, in chunks of three messages, then sweeps; an hour later a deep sweep sees a day again.
    for (let turn = 0; turn < 12; turn++) await indexer.runOnce(now + turn);
    await indexer.runOnce(now + 7_200);
    const held = await heldCopies();
    expect(held).toBeGreaterThan(5);
    expect(await site()).toEqual({ quarantined: held, released: 0, requested: 0, deleted: 0 });

    const [a, b] = await sequelize.query<{ partition_tag: number; mail_id: Buffer | string; rseqnum: number }>(
      `SELECT partition_tag, mail_id, rseqnum FROM aq_list ORDER BY id LIMIT 2`,
      { type: QueryTypes.SELECT },
    );
    const ref = (row: typeof a) => ({
      partitionTag: row!.partition_tag,
      mailId: Buffer.isBuffer(row!.mail_id) ? row!.mail_id.toString() : row!.mail_id,
      rseqnum: row!.rseqnum,
    });
    const rs = createRsWriter(sequelize);
    expect(await rs.apply(ref(a), 'request')).toBe(true);
    expect(await rs.apply(ref(a), 'approve')).toBe(true);
    expect(await rs.apply(ref(b), 'delete')).toBe(true);
    // A refused transition changes nothing, and counts nothing.
    expect(await rs.apply(ref(b), 'release')).toBe(false);
    await indexer.runOnce(now + 7_201);
    await indexer.runOnce(now + 7_202);
    expect(await site()).toEqual({ quarantined: held, released: 1, requested: 1, deleted: 1 });
    expect(Number((await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM aq_stats_pending', { type: QueryTypes.SELECT }))[0]?.n)).toBe(0);
    expect(await createStatsStore(sequelize).upTo()).toBe(now + 7_202);
  });
});
