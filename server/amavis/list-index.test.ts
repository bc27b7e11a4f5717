import { QueryTypes, Sequelize } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { decodeIndexCursor, encodeIndexCursor, searchWords } from './list-index-lister';
import { countSql, textSql, walkSql, type IndexQuery } from './list-index-query';
import { indexStatement, listIndexDdl, listIndexes } from './list-index-ddl';
import { pruneOldSql } from './list-index-sql';

const base: IndexQuery = { scope: undefined, sort: 'date', dir: 'desc', words: [] };

describe('the list index statements', () => {
  it('reads one ordered index range per rid, domain and content code, each pinned on MariaDB', () => {
    const q: IndexQuery = { ...base, scope: { rids: ['7', '9'], domains: ['test.example'] }, contents: ['S', 'B'] };
    const { sql, replacements } = walkSql('mariadb', q, 51);
    expect(sql.match(/FORCE INDEX \(aq_list_rc\)/g)).toHaveLength(4);
    expect(sql.match(/FORCE INDEX \(aq_list_dc\)/g)).toHaveLength(2);
    expect(sql).toContain('ORDER BY u.time_num DESC, u.id DESC LIMIT 51');
    expect(replacements).toMatchObject({ br0: '7', br1: '9', bd0: 'test.example', bc0: 'S', bc1: 'B' });
  });

  it('falls back to IN lists past 64 branches', () => {
    const rids = Array.from({ length: 70 }, (_, i) => String(i));
    const { sql } = walkSql('mariadb', { ...base, scope: { rids, domains: [] } }, 51);
    expect(sql).toContain('l.rid IN (:brs)');
    expect(sql).not.toContain('FORCE INDEX');
  });

  it('continues after a cursor in its direction: written out on MariaDB, a row comparison on PostgreSQL', () => {
    const after = { sort: 'sender' as const, dir: 'asc' as const, key: 'bob', timeNum: 5, id: '12' };
    expect(walkSql('mariadb', { ...base, sort: 'sender', dir: 'asc', after }, 51).sql).toContain(
      '(l.sender > :kk OR (l.sender = :kk AND (l.time_num > :kt OR (l.time_num = :kt AND l.id > :ki))))',
    );
    expect(walkSql('postgres', { ...base, sort: 'sender', dir: 'asc', after }, 51).sql).toContain('(l.sender, l.time_num, l.id) > (:kk, :kt, :ki)');
  });

  it('searches FULLTEXT by word prefix, and words under 3 characters by a word-start match', () => {
    const part = textSql('mariadb', { ...base, words: ['invoice', 'q3'] }, 51)!;
    expect(part.sql).toContain('MATCH(l.search) AGAINST (:ft IN BOOLEAN MODE)');
    expect(part.replacements).toMatchObject({ ft: '+invoice*', sw0: '(^|[^[:alnum:]_])q3' });
    expect(textSql('mariadb', { ...base, words: ['ab'] }, 51)).toBeUndefined();
    expect(textSql('postgres', { ...base, words: ['invoice'] }, 51)!.sql).toContain('WITH c AS MATERIALIZED');
    expect(countSql('sqlite', { ...base, words: ['x'] }, 1000).sql).toContain('LIMIT 1001');
  });

  it('splits a search into lowercase words as the text indexes do', () => {
    expect(searchWords('Bob@Example.TEST  invoice')).toEqual(['bob', 'example', 'test', 'invoice']);
    expect(searchWords('%_\'"')).toEqual(['_']);
    expect(searchWords(undefined)).toEqual([]);
  });

  it('gives an index per scope and order, and one for the check, each statement safe to run again', () => {
    expect(listIndexes()).toHaveLength(16);
    const mariadb = listIndexDdl('mariadb');
    expect(mariadb.filter((s) => indexStatement(s))).toHaveLength(17);
    for (const dialect of ['mariadb', 'postgres', 'sqlite'] as const) {
      for (const statement of listIndexDdl(dialect)) expect(statement).toMatch(/IF NOT EXISTS|^SET SESSION/);
    }
  });
});

describe('the prune of rows older than every message', () => {
  it('joins the oldest rows on MariaDB and MySQL, where id IN (a derived table) scans the whole list table', () => {
    for (const dialect of ['mariadb', 'mysql'] as const) {
      expect(pruneOldSql(dialect, 5000)).toMatch(
        /^DELETE l FROM aq_list l JOIN \(SELECT id FROM aq_list WHERE time_num < .* ORDER BY time_num LIMIT 5000\) x ON x\.id = l\.id$/,
      );
    }
    expect(pruneOldSql('postgres', 5000)).toMatch(/^DELETE FROM aq_list WHERE id IN \(SELECT id FROM aq_list WHERE time_num < .* LIMIT 5000\)$/);
  });

  it('deletes, oldest first, at most the limit of the rows older than the oldest message (SQLite, as the demo runs it)', async () => {
    const db = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
    try {
      await db.query('CREATE TABLE msgs (time_num INTEGER)');
      await db.query('CREATE TABLE aq_list (id INTEGER PRIMARY KEY, time_num INTEGER)');
      await db.query('INSERT INTO msgs VALUES (100), (200)');
      await db.query('INSERT INTO aq_list (time_num) VALUES (60), (50), (100), (300)');
      const left = async () => (await db.query<{ time_num: number }>('SELECT time_num FROM aq_list ORDER BY id', { type: QueryTypes.SELECT })).map((r) => r.time_num);
      await db.query(pruneOldSql('sqlite', 1));
      expect(await left()).toEqual([60, 100, 300]);
      await db.query(pruneOldSql('sqlite', 5));
      expect(await left()).toEqual([100, 300]);
    } finally {
      await db.close();
    }
  });
});

describe('index cursors', () => {
  it('round-trip, and refuse what they did not make', () => {
    const cursor = { sort: 'score' as const, dir: 'desc' as const, key: '999.999', timeNum: 1796000000, id: '42' };
    expect(decodeIndexCursor(encodeIndexCursor(cursor))).toEqual(cursor);
    // The longest sort key: 64 characters, each as long as JSON and UTF-8 make them.
    const long = { sort: 'subject' as const, dir: 'asc' as const, key: '\u0001\u{1F600}'.repeat(32), timeNum: 1796000000, id: '9223372036854775807' };
    expect(decodeIndexCursor(encodeIndexCursor(long))).toEqual(long);
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(decodeIndexCursor(forge(['i', 'score', 'desc', '1; DROP', 1, '42']))).toBeUndefined();
    expect(decodeIndexCursor(forge(['i', 'date', 'up', null, 1, '42']))).toBeUndefined();
    expect(decodeIndexCursor(forge(['i', 'sender', 'asc', 'x'.repeat(65), 1, '42']))).toBeUndefined();
    expect(decodeIndexCursor(forge(['i', 'date', 'asc', null, 1, '4x']))).toBeUndefined();
    expect(decodeIndexCursor('not base64!')).toBeUndefined();
    // Out of the columns' range: PostgreSQL would refuse the bigint with a 500.
    expect(decodeIndexCursor(forge(['i', 'date', 'asc', null, 1, '9223372036854775808']))).toBeUndefined();
    expect(decodeIndexCursor(forge(['i', 'date', 'asc', null, -1, '42']))).toBeUndefined();
  });
});
