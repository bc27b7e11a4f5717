import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { ApiSession, errorOf, ROLE_ENV, USERS } from '../support/api-client';
import { serverEnv, STACK_DIR } from '../support/stack';
import { startTestServer, type TestServer } from '../support/server';

/** A fresh client address per test run (198.18.0.0/15, the benchmarking range), so runs never share counters. */
const address = () => `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

/**
 * Signs in as the trusted proxy forwards it. README's nginx sends `X-Forwarded-For $remote_addr`; a
 * proxy that appends instead forwards what the client made up, then the address it saw.
 */
const signInFrom = (base: string, seenByProxy: string, username: string, password: string, spoofed?: string) =>
  new ApiSession(base).request('POST', '/session', { username, password }, { 'X-Forwarded-For': spoofed ? `${spoofed}, ${seenByProxy}` : seenByProxy });

// Two instances sharing one app database, behind one trusted proxy hop (AQ_TRUST_PROXY=1).
describe('sign-in throttling across instances', () => {
  let one: TestServer;
  let two: TestServer;
  beforeAll(async () => {
    // Small limits: Dovecot makes each failure from one address wait longer (2, 4, 8 s…), so few are enough.
    const env = { ...ROLE_ENV, AQ_TRUST_PROXY: '1', AQ_LOGIN_LIMIT_PER_IP: '3', AQ_LOGIN_LIMIT_PER_ACCOUNT: '4', AQ_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: '2' };
    [one, two] = await Promise.all([startTestServer(env), startTestServer(env)]);
  });
  afterAll(async () => {
    await one.context.rateLimitStores('login-account').resetKey(USERS.bob.email);
    await Promise.all([one.close(), two.close()]);
  });

  it('counts one address on both instances, whatever X-Forwarded-For the client makes up', async () => {
    const attacker = address();
    const run = Math.random().toString(36).slice(2);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const base = i % 2 === 0 ? one.url : two.url;
      // A new account and a new made-up address every time: only the address the proxy saw stays.
      const res = await signInFrom(base, attacker, `nobody-${run}-${i}@example.test`, 'guess', `203.0.113.${1 + i}`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array<number>(3).fill(401), ...Array<number>(27).fill(429)]);
    // Dovecot was told (IMAP ID x-originating-ip) the address the proxy saw, never the made-up one.
    const told = (await readFile(path.join(STACK_DIR, 'log/dovecot.log'), 'utf8')).split('\n').filter((l) => l.includes(`passwd-file(nobody-${run}-`));
    expect(told).toHaveLength(3);
    for (const line of told) expect(line).toContain(`,${attacker},`);
    // Even the right password waits on that address, on either instance; another address is not held up.
    const blocked = await signInFrom(two.url, attacker, USERS.bob.email, USERS.bob.password);
    expect(blocked.status).toBe(429);
    expect((await errorOf(blocked)).code).toBe('too_many_attempts');
    expect((await signInFrom(one.url, address(), USERS.bob.email, USERS.bob.password)).status).toBe(200);
  }, 120_000);

  it('never locks the owner out: per account the limit is per address, and the ceiling lets a clean address try', async () => {
    await one.context.rateLimitStores('login-account').resetKey(USERS.bob.email);
    const [a1, a2, a3] = [address(), address(), address()];
    const wrong = (base: string, from: string) => signInFrom(base, from, USERS.bob.email, 'wrong').then((r) => r.status);
    // Two failures per account and address (AQ_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS=2), then that address waits.
    expect([await wrong(one.url, a1), await wrong(two.url, a1), await wrong(one.url, a1)]).toEqual([401, 401, 429]);
    expect([await wrong(two.url, a2), await wrong(one.url, a2)]).toEqual([401, 401]);
    // Over the ceiling (4 per account): a new address gets its first try, not a second.
    expect([await wrong(two.url, a3), await wrong(one.url, a3)]).toEqual([401, 429]);
    // bob, at home, with his password: signed in, on either instance.
    expect((await signInFrom(one.url, address(), USERS.bob.email, USERS.bob.password)).status).toBe(200);
    expect((await signInFrom(two.url, address(), 'bob', USERS.bob.password)).status).toBe(200);
  }, 120_000);

  it('refuses AQ_TRUST_PROXY=true at startup, with what to set instead', () => {
    expect(() => loadConfig(serverEnv({ AQ_TRUST_PROXY: 'true' }))).toThrow(/AQ_TRUST_PROXY=true would trust any X-Forwarded-For.*AQ_TRUST_PROXY=1/);
  });
});
