import { describe, expect, it } from 'vitest';
import { likeContains, rowKeyset } from './list-sql';
import { decodeCursor, encodeCursor } from './list-cursor';
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
