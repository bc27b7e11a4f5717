import type { Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { keysFirstWalkSql, likeContains, messageKeyset, recipientPlanSql, rowKeyset, rowsOfMessagesSql, timePlanSql, type Dialect } from './list-sql';
import { decodeCursor, encodeCursor } from './list-cursor';
import { createQuarantineLister, type ListQuery } from './listing';
import { parseAuthResults, parseSpamTests } from '../services/mail-parse';

describe('cursors', () => {
  it('round-trips and rejects tampering', () => {
    const cursor = { sort: 'score' as const, timeNum: 1795240000, partitionTag: 0, mailId: 'AzsRsnV7EKny', rseqnum: 2, score: '999.999' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    const date = { sort: 'date' as const, timeNum: 1, partitionTag: 3, mailId: 'abc', rseqnum: 1 };
    expect(decodeCursor(encodeCursor(date))).toEqual(date);
    for (const bad of ['', '!!', Buffer.from('[1,2]').toString('base64url'), Buffer.from(JSON.stringify(['date', 1, 0, "x' OR 1", 1, null])).toString('base64url')]) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });
});

describe('list SQL', () => {
  it('writes the keyset out instead of a row constructor', () => {
    const { sql } = rowKeyset('mysql', { sort: 'date', timeNum: 1, partitionTag: 0, mailId: 'x', rseqnum: 1 });
    expect(sql).not.toMatch(/\(m\.time_num,/);
    expect(sql).toMatch(/m\.time_num < :kt OR \(m\.time_num = :kt AND/);
  });

  it('escapes LIKE wildcards in user input', () => {
    expect(likeContains('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});

const where = { sql: "mr.rid IN (:rids) AND mr.rs <> 'D'", replacements: { rids: ['7', '8'] } };
const cursor = { sort: 'date' as const, timeNum: 1795240000, partitionTag: 48, mailId: 'AzsRsnV7EKny', rseqnum: 2 };
const flat = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('list SQL on PostgreSQL', () => {
  it('pins the recipient plan to primary-key reads of msgs, so the planner cannot walk the time index instead', () => {
    const pinned = flat(recipientPlanSql('postgres', where, 'date', 51, true).sql);
    expect(pinned).toContain(
      'FROM msgrcpt mr CROSS JOIN LATERAL (SELECT * FROM msgs m WHERE m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id OFFSET 0) m JOIN maddr r ON r.id = mr.rid',
    );
    expect(pinned).toMatch(/ORDER BY m\.time_num DESC, m\.partition_tag DESC, m\.mail_id DESC, mr\.rseqnum DESC LIMIT 51$/);
    expect(flat(recipientPlanSql('postgres', where, 'date', 51, false).sql)).toContain('FROM msgrcpt mr JOIN msgs m ON m.partition_tag = mr.partition_tag');
    expect(recipientPlanSql('postgres', where, 'date', 51).sql).not.toMatch(/STRAIGHT_JOIN|FORCE INDEX|IGNORE INDEX/);
  });

  it('walks the time index with the scope\u2019s keys in a hashed SubPlan (the IN kept under an OR)', () => {
    const walk = keysFirstWalkSql('postgres', ['7'], messageKeyset('postgres', cursor), 125);
    expect(flat(walk.sql)).toBe(
      'SELECT m.time_num AS time_num, m.partition_tag AS partition_tag, m.mail_id AS mail_id FROM msgs m ' +
        'WHERE ((m.partition_tag, m.mail_id) IN (SELECT mr.partition_tag, mr.mail_id FROM msgrcpt mr WHERE mr.rid IN (:walkRids)) OR m.time_num < 0) ' +
        'AND m.time_num <= :kt AND (m.time_num < :kt OR (m.time_num = :kt AND (m.partition_tag < :kp OR (m.partition_tag = :kp AND m.mail_id <= :km)))) ' +
        'ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC LIMIT 125',
    );
    expect(walk.replacements).toMatchObject({ walkRids: ['7'], kt: cursor.timeNum, kp: 48 });
  });

  it('reads the walked messages through two unnested arrays, not a list of row constructors', () => {
    const keys = [
      { partition_tag: 48, mail_id: Buffer.from('AzsRsnV7EKny') },
      { partition_tag: 0, mail_id: 'Bk2x9Qw3LmZp' },
    ];
    const step2 = rowsOfMessagesSql('postgres', keys, where, rowKeyset('postgres', cursor));
    expect(flat(step2.sql)).toContain(
      'FROM unnest(ARRAY[:wp]::integer[], ARRAY[:wm]::bytea[]) AS k(partition_tag, mail_id) JOIN msgs m ON m.partition_tag = k.partition_tag AND m.mail_id = k.mail_id',
    );
    expect(step2.sql).not.toMatch(/:wp0|\(m\.partition_tag, m\.mail_id\) IN/);
    expect(step2.replacements.wp).toEqual([48, 0]);
    expect(step2.replacements.wm).toEqual([Buffer.from('AzsRsnV7EKny'), Buffer.from('Bk2x9Qw3LmZp')]);
  });

  it('lists by time in one statement: the walk, then each message\u2019s msgrcpt rows in an unflattened subquery', () => {
    const sql = flat(timePlanSql('postgres', where, cursor, 52, 51).sql);
    expect(sql).toContain(
      'FROM msgs m CROSS JOIN LATERAL (SELECT * FROM msgrcpt mr WHERE mr.partition_tag = m.partition_tag AND mr.mail_id = m.mail_id OFFSET 0) mr JOIN maddr r ON r.id = mr.rid',
    );
    // The plain bound in front of the keyset is what PostgreSQL turns into a range of the time index.
    expect(sql).toContain("mr.rid IN (:rids) AND mr.rs <> 'D' AND m.time_num <= :kt AND (m.time_num < :kt OR");
    expect(sql).toMatch(/LIMIT 51$/);
    expect(sql.match(/mr\.rid IN/g)).toHaveLength(1);
  });
});

describe('list SQL on MariaDB', () => {
  // Tuned and benchmarked statements: the PostgreSQL branches must leave them byte for byte as they were.
  it('keeps the pinned-plan statements unchanged', () => {
    const dialect: Dialect = 'mariadb';
    expect(flat(recipientPlanSql(dialect, where, 'date', 51, true).sql)).toBe(
      'SELECT STRAIGHT_JOIN m.partition_tag AS partition_tag, m.mail_id AS mail_id, mr.rseqnum AS rseqnum, m.time_num AS time_num, m.size AS size, ' +
        'm.from_addr AS from_addr, m.subject AS subject, m.spam_level AS spam_level, mr.content AS content, mr.rs AS rs, mr.bspam_level AS bspam_level, ' +
        'r.email AS recipient, s.email AS sender FROM msgrcpt mr JOIN msgs m ON m.partition_tag = mr.partition_tag AND m.mail_id = mr.mail_id ' +
        "JOIN maddr r ON r.id = mr.rid LEFT JOIN maddr s ON s.id = m.sid WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND COALESCE(mr.content, '') <> 'C' AND mr.rid IN (:rids) AND mr.rs <> 'D' " +
        'ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC, mr.rseqnum DESC LIMIT 51',
    );
    expect(flat(keysFirstWalkSql(dialect, ['7'], undefined, 125).sql)).toBe(
      'SELECT m.time_num AS time_num, m.partition_tag AS partition_tag, m.mail_id AS mail_id FROM msgs m FORCE INDEX (msgs_idx_time_num) ' +
        'WHERE (m.partition_tag, m.mail_id) IN (SELECT mr.partition_tag, mr.mail_id FROM msgrcpt mr WHERE mr.rid IN (:walkRids)) ' +
        'ORDER BY m.time_num DESC, m.partition_tag DESC, m.mail_id DESC LIMIT 125',
    );
    const time = flat(timePlanSql(dialect, where, undefined, 52, 51).sql);
    expect(time).toMatch(/^SET STATEMENT optimizer_switch='semijoin=off,exists_to_in=off' FOR SELECT STRAIGHT_JOIN /);
    expect(time).toContain(
      "FROM msgs m FORCE INDEX (msgs_idx_time_num) WHERE m.quar_type = 'Q' AND m.content IS NOT NULL AND EXISTS (SELECT 1 FROM msgrcpt mr JOIN maddr r",
    );
    expect(time).toContain('JOIN msgrcpt mr IGNORE INDEX (msgrcpt_idx_rid) ON mr.partition_tag = m.partition_tag');
    expect(flat(rowsOfMessagesSql(dialect, [{ partition_tag: 0, mail_id: 'x' }], where, undefined).sql)).toContain(
      'WHERE (m.partition_tag, m.mail_id) IN ((:wp0, :wm0)) AND',
    );
  });
});

/** A Sequelize stand-in that answers the lister's lookups and records every statement. */
function fakeDatabase(dialect: 'postgres' | 'mysql', scopeRows: number) {
  const statements: string[] = [];
  const sequelize = {
    getDialect: () => dialect,
    query(sql: string) {
      statements.push(flat(sql));
      if (/VERSION\(\)/.test(sql)) return Promise.resolve([{ v: '10.11.6-MariaDB' }]);
      if (/^SELECT id, email FROM maddr/.test(flat(sql))) return Promise.resolve([{ id: '7', email: Buffer.from('info@example.test') }]);
      if (/partition_tag/.test(sql) && /FROM maddr/.test(sql)) return Promise.resolve([{ partition_tag: 0 }]);
      if (/^SELECT COUNT\(\*\) AS n FROM \(SELECT 1 FROM msgrcpt/.test(flat(sql))) return Promise.resolve([{ n: scopeRows }]);
      return Promise.resolve([]);
    },
  };
  const lister = createQuarantineLister(sequelize as unknown as Sequelize);
  const list = async (query: ListQuery = { limit: 50 }) => {
    statements.length = 0;
    await lister.list({ kind: 'addresses', addresses: ['info@example.test'] }, query);
    return statements.at(-1) ?? '';
  };
  return { list };
}

describe('plan choice per dialect', () => {
  it('uses PostgreSQL\u2019s own thresholds: by recipient below 2k rows, keys first below 10k, by time from there', async () => {
    expect(await fakeDatabase('postgres', 1_999).list()).toContain('CROSS JOIN LATERAL (SELECT * FROM msgs m');
    expect(await fakeDatabase('postgres', 2_000).list()).toContain('OR m.time_num < 0');
    expect(await fakeDatabase('postgres', 10_000).list()).toContain('CROSS JOIN LATERAL (SELECT * FROM msgrcpt mr');
    // MariaDB keeps its own: keys first up to 20k.
    expect(await fakeDatabase('mysql', 10_000).list()).toContain('FORCE INDEX (msgs_idx_time_num)');
    expect(await fakeDatabase('mysql', 20_000).list()).toMatch(/^SET STATEMENT/);
  });

  it('leaves a heavy scope\u2019s type filter to PostgreSQL\u2019s planner, but pins text searches and light scopes', async () => {
    const lateral = 'CROSS JOIN LATERAL (SELECT * FROM msgs m';
    expect(await fakeDatabase('postgres', 10_000).list({ limit: 50, type: ['virus'] })).not.toContain(lateral);
    expect(await fakeDatabase('postgres', 10_000).list({ limit: 50, sort: 'score' })).not.toContain(lateral);
    expect(await fakeDatabase('postgres', 10_000).list({ limit: 50, q: 'invoice' })).toContain(lateral);
    expect(await fakeDatabase('postgres', 500).list({ limit: 50, type: ['virus'] })).toContain(lateral);
  });
});

describe('why-quarantined parsing', () => {
  it('reads amavis\u2019s X-Spam-Status tests, highest first', () => {
    expect(parseSpamTests('Yes, score=999.999 tag=-999 tag2=5 kill=5 tests=[GTUBE=1000,\n NO_RECEIVED=-0.001, MISSING_DATE=1.36] autolearn=no')).toEqual([
      { name: 'GTUBE', score: 1000 },
      { name: 'MISSING_DATE', score: 1.36 },
      { name: 'NO_RECEIVED', score: -0.001 },
    ]);
    expect(parseSpamTests('No, score=0.1')).toEqual([]);
  });

  it('reads SPF, DKIM and DMARC from Authentication-Results', () => {
    expect(parseAuthResults(['mx.example.org; spf=pass smtp.mailfrom=a@b; dkim=fail header.d=b; dmarc=none'])).toEqual({ spf: 'pass', dkim: 'fail', dmarc: 'none' });
  });
});
