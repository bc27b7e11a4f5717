import { describe, expect, it } from 'vitest';
import { signLinkToken, verifyLinkToken } from './link-token';

const SECRET = 'link-secret-0123456789abcdef0123456789';
const ref = { partitionTag: 0, mailId: 'Ab-cd_EF+123', rseqnum: 2 };

describe('self-service link tokens', () => {
  it('names the one copy it was signed for, until it expires', () => {
    const token = signLinkToken(SECRET, ref, 2000);
    expect(verifyLinkToken(token, SECRET, 1999)).toEqual({ ok: true, ref, expiresAt: 2000 });
    expect(verifyLinkToken(token, SECRET, 2000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another row, another expiry, another secret and malformed tokens', () => {
    const token = signLinkToken(SECRET, ref, 2000);
    const [p, m, , e, mac] = token.split('.');
    for (const forged of [
      `${p}.${m}.1.${e}.${mac}`,
      `${p}.${m}.2.9999.${mac}`,
      `1.${m}.2.${e}.${mac}`,
      signLinkToken(`other-${SECRET}`, ref, 2000),
      `${token}x`,
      token.replace(/\./g, ':'),
      '',
    ]) {
      expect(verifyLinkToken(forged, SECRET, 1000), forged).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});
