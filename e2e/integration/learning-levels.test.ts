import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearnResult } from '../../shared/learning';
import { bodyOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { bayesCounts, userBayesPath, userSpamdAddress, type BayesCounts } from '../support/bayes';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { onPostgres } from '../support/stack';

type Who = 'alice' | 'bob' | 'carol';
const WHO: readonly Who[] = ['alice', 'bob', 'carol'];

// AQ_LEARN_LEVEL=user and domain against the stack's spamd-users (--virtual-config-dir=…/aq-bayes/%u): spamd
// keeps a Bayes store per TELL User:, so the level decides whose store a "Spam" lands in, and which stores
// count a message as already learned. The proof is sa-learn --dump magic on each store, as amavis.
// MariaDB only: the level only changes what is sent to spamd; reading the copy from PostgreSQL is proven by
// learning.test.ts's PostgreSQL pass.
describe.skipIf(onPostgres)('learning per user and per domain (AQ_LEARN_LEVEL) into spamd-users’ stores', () => {
  const servers: Partial<Record<'user' | 'domain', TestServer>> = {};
  const sessions: Record<string, Record<Who, ApiSession>> = {};
  const unique = () => randomBytes(5).toString('hex');

  beforeAll(async () => {
    const spamd = userSpamdAddress();
    await Promise.all(
      (['user', 'domain'] as const).map(async (level) => {
        const server = await startTestServer({ ...ROLE_ENV, AQ_SPAMD: `${spamd.host}:${spamd.port}`, AQ_LEARN_LEVEL: level });
        servers[level] = server;
        const signed = await Promise.all(WHO.map((who) => signedIn(server.url, USERS[who].email, USERS[who].password)));
        sessions[level] = Object.fromEntries(WHO.map((who, i) => [who, signed[i]!])) as Record<Who, ApiSession>;
      }),
    );
  });
  afterAll(() => Promise.all(Object.values(servers).map((s) => s.close())));

  /** One GTUBE mail with a body of its own (Bayes remembers messages) to alice, bob and carol: a copy each. */
  const spamToAll = (server: TestServer) =>
    sendThroughAmavis(server.context, {
      to: WHO.map((who) => USERS[who].email),
      subject: `Level pills ${unique()}`,
      body: `Cheap pills ${unique()} for everyone, order now ${unique()}.\n\n${GTUBE}\n`,
    });
  const learnSpam = async (session: ApiSession, id: string | undefined) => {
    const res = await session.request('POST', `/messages/${id}/learn`, { as: 'spam' });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await bodyOf<LearnResult>(res)).outcome;
  };
  /** The counts of these stores, side by side: 'global' is amavisd's own, any other name spamd-users' store for that `User:`. */
  const countsOf = async (stores: readonly string[]): Promise<Record<string, BayesCounts>> => {
    const counts = await Promise.all(stores.map((s) => (s === 'global' ? bayesCounts() : bayesCounts(userBayesPath(s)))));
    return Object.fromEntries(stores.map((s, i) => [s, counts[i]!]));
  };
  const plusSpam = (counts: BayesCounts | undefined) => ({ nspam: counts!.nspam + 1, nham: counts!.nham });

  it('user: "Spam" on alice’s copy raises nspam in alice’s store only; bob’s copy of the same mail is new to his', async () => {
    const ids = await spamToAll(servers.user!);
    const stores = ['global', 'alice@example.test', 'bob@example.test'];
    const before = await countsOf(stores);
    expect(await learnSpam(sessions.user!.alice, ids[USERS.alice.email])).toBe('learned');
    expect(await countsOf(stores)).toEqual({ ...before, 'alice@example.test': plusSpam(before['alice@example.test']) });
    expect(await learnSpam(sessions.user!.alice, ids[USERS.alice.email])).toBe('already');

    // One store would say "already learned" here: bob's has never seen this message.
    expect(await learnSpam(sessions.user!.bob, ids[USERS.bob.email])).toBe('learned');
    expect(await countsOf(['bob@example.test'])).toEqual({ 'bob@example.test': plusSpam(before['bob@example.test']) });
  });

  it('domain: "Spam" on alice’s copy raises nspam in example.test’s store; bob shares it, carol@other.test does not', async () => {
    const ids = await spamToAll(servers.domain!);
    const stores = ['global', 'example.test', 'other.test'];
    const before = await countsOf(stores);
    expect(await learnSpam(sessions.domain!.alice, ids[USERS.alice.email])).toBe('learned');
    expect(await countsOf(stores)).toEqual({ ...before, 'example.test': plusSpam(before['example.test']) });

    // bob's copy goes to the same domain store, which has learned it already; carol's to other.test's.
    expect(await learnSpam(sessions.domain!.bob, ids[USERS.bob.email])).toBe('already');
    expect(await learnSpam(sessions.domain!.carol, ids[USERS.carol.email])).toBe('learned');
    expect(await countsOf(['example.test', 'other.test'])).toEqual({ 'example.test': plusSpam(before['example.test']), 'other.test': plusSpam(before['other.test']) });
  });
});
