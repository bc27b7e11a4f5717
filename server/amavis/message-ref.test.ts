import { describe, expect, it } from 'vitest';
import { statusOfRs, typeOfContent } from './codes';
import { decodeMessageRef, encodeMessageRef } from './message-ref';

describe('message ids', () => {
  it('round-trips a row key', () => {
    const ref = { partitionTag: 0, mailId: 'AzsRsnV7EKny', rseqnum: 2 };
    const id = encodeMessageRef(ref);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeMessageRef(id)).toEqual(ref);
    expect(decodeMessageRef(encodeMessageRef({ ...ref, partitionTag: 37 }))).toEqual({ ...ref, partitionTag: 37 });
  });

  it('refuses anything it did not make', () => {
    for (const bad of [
      '',
      'not base64!',
      Buffer.from('0:AzsRsnV7EKny').toString('base64url'),
      Buffer.from('0:Azs%27OR1:1').toString('base64url'),
      Buffer.from("0:x' OR '1'='1:1").toString('base64url'),
      Buffer.from('0:AzsRsnV7EKny:1:2').toString('base64url'),
      Buffer.from('00:AzsRsnV7EKny:1').toString('base64url'),
      `${encodeMessageRef({ partitionTag: 0, mailId: 'AzsRsnV7EKny', rseqnum: 1 })}=`,
      'A'.repeat(100),
    ]) {
      expect(decodeMessageRef(bad), bad).toBeUndefined();
    }
  });
});

describe('amavis codes', () => {
  it('maps content codes to user words', () => {
    expect(typeOfContent('S')).toBe('spam');
    expect(typeOfContent('s')).toBe('spammy');
    expect(typeOfContent('H')).toBe('bad-header');
    expect(typeOfContent('C')).toBe('other');
  });

  it('reads the rs letters of other managers too', () => {
    expect(statusOfRs('')).toBe('new');
    expect(statusOfRs('v')).toBe('viewed');
    expect(statusOfRs('p')).toBe('requested');
    expect(statusOfRs('D')).toBe('deleted');
  });
});
