import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { signSsoToken, SSO_CLOCK_SKEW_SECONDS, verifySsoToken } from './sso';

const SECRET = '0123456789abcdef0123456789abcdef';
const NOW = 1_700_000_000;

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.code}`;
    throw err;
  }
  return 'accepted';
};

describe('single sign-on tokens', () => {
  it('agrees with the PHP plugin (hash_hmac over email, expiry and nonce)', () => {
    // Computed with PHP: hash_hmac('sha256', "alice@example.test\n1700000060\nAAAAAAAAAAAAAAAAAAAAAA", $secret)
    const token = 'YWxpY2VAZXhhbXBsZS50ZXN0.1700000060.AAAAAAAAAAAAAAAAAAAAAA.215bd0091f531e0541c5594f1ca0136f85e1d72010f2fbca9fa28bb60db26477';
    expect(signSsoToken(SECRET, 'alice@example.test', NOW + 60, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe(token);
    expect(verifySsoToken(token, SECRET, 60, NOW)).toMatchObject({ email: 'alice@example.test', expiresAt: NOW + 60 });
  });

  it('gives two tokens for one user in one second different nonces', () => {
    expect(signSsoToken(SECRET, 'a@b.test', NOW + 60)).not.toBe(signSsoToken(SECRET, 'a@b.test', NOW + 60));
  });

  it('refuses a token signed with another secret', () => {
    expect(codeOf(() => verifySsoToken(signSsoToken('another-secret-0123456789abcdef01', 'alice@example.test', NOW + 30), SECRET, 60, NOW))).toBe('401 sso_invalid');
  });

  it('binds the token to its address, expiry and nonce', () => {
    const [, expiry, nonce, mac] = signSsoToken(SECRET, 'alice@example.test', NOW + 30).split('.');
    const bob = Buffer.from('bob@example.test').toString('base64url');
    const alice = Buffer.from('alice@example.test').toString('base64url');
    expect(codeOf(() => verifySsoToken(`${bob}.${expiry}.${nonce}.${mac}`, SECRET, 60, NOW))).toBe('401 sso_invalid');
    expect(codeOf(() => verifySsoToken(`${alice}.${NOW + 40}.${nonce}.${mac}`, SECRET, 60, NOW))).toBe('401 sso_invalid');
    expect(codeOf(() => verifySsoToken(`${alice}.${expiry}.BBBBBBBBBBBBBBBBBBBBBB.${mac}`, SECRET, 60, NOW))).toBe('401 sso_invalid');
  });

  it('refuses expired tokens, allowing a few seconds of clock skew', () => {
    expect(codeOf(() => verifySsoToken(signSsoToken(SECRET, 'a@b.test', NOW - SSO_CLOCK_SKEW_SECONDS), SECRET, 60, NOW))).toBe('401 sso_expired');
    expect(codeOf(() => verifySsoToken(signSsoToken(SECRET, 'a@b.test', NOW - 1), SECRET, 60, NOW))).toBe('accepted');
  });

  it('refuses tokens valid for longer than the maximum age', () => {
    expect(codeOf(() => verifySsoToken(signSsoToken(SECRET, 'a@b.test', NOW + 60 + SSO_CLOCK_SKEW_SECONDS + 1), SECRET, 60, NOW))).toBe('401 sso_invalid');
    expect(codeOf(() => verifySsoToken(signSsoToken(SECRET, 'a@b.test', NOW + 60), SECRET, 60, NOW))).toBe('accepted');
  });

  it('refuses malformed tokens before looking at the signature', () => {
    const good = signSsoToken(SECRET, 'a@b.test', NOW + 30);
    for (const token of ['', 'x', good.toUpperCase(), `${good}.x`, good.replace(/\.[^.]+\./, '.-1.'), good.slice(0, -1), good.replace(/^[^.]+/, 'a+b')]) {
      expect(
        codeOf(() => verifySsoToken(token, SECRET, 60, NOW)),
        token,
      ).toBe('401 sso_invalid');
    }
  });
});
