import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../shared/session';
import { decodeMessageRef } from '../../server/amavis/message-ref';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { stackEnv } from '../support/stack';
import { startTcpProxy, targetOf, throughProxy, type TcpProxy } from '../support/tcp-proxy';

// The server reaches its database (MariaDB or PostgreSQL) through two proxies the test controls: one for amavis's tables (and the
// listings' pool), one for our own (sessions, audit). Faults are produced there, between the server and
// the real database; no outcome depends on how fast anything is.
describe('database faults and overload', () => {
  let amavisDb: TcpProxy;
  let appDb: TcpProxy;
  let server: TestServer;

  const env = (extra: Record<string, string> = {}) => {
    const url = stackEnv().AQ_DB_URL;
    return {
      ...ROLE_ENV,
      AQ_DB_URL: throughProxy(url, amavisDb),
      AQ_APP_DB_URL: throughProxy(url, appDb),
      // Short, so that a stalled statement is given up soon; still far above what these statements need.
      AQ_DB_STATEMENT_TIMEOUT_MS: '2000',
      ...extra,
    };
  };

  beforeAll(async () => {
    const target = targetOf(stackEnv().AQ_DB_URL);
    amavisDb = await startTcpProxy(target);
    appDb = await startTcpProxy(target);
    server = await startTestServer(env());
  });
  afterEach(() => {
    for (const proxy of [amavisDb, appDb]) proxy.resume();
  });
  afterAll(async () => {
    await server?.close();
    await Promise.all([amavisDb?.close(), appDb?.close()]);
  });

  // express-session finishes its own statements (the rolling touch) before the last byte of a response:
  // a request counts as done, and the database as idle, only once its whole body has arrived.
  const settled = async (response: Promise<Response>) => {
    const res = await response;
    await res.clone().arrayBuffer();
    return res;
  };

  // Signs in and waits for one more request: the sign-in limiter settles its count of that attempt after
  // the answer, and a fault injected before then would count a good sign-in as a failed one.
  const signIn = async (base: string, user: { email: string; password: string }) => {
    const session = await signedIn(base, user.email, user.password);
    expect((await settled(session.get('/session'))).status).toBe(200);
    return session;
  };

  const expectBusy = async (res: Response, status = 503) => {
    expect(res.status, await res.clone().text()).toBe(status);
    expect((await errorOf(res)).code).toBe('busy');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('answers 503 when every connection is cut mid-list, and the session survives', async () => {
    const alice = await signIn(server.url, USERS.alice);
    // A first listing leaves an idle connection in the listings' pool, on which the next one runs.
    expect((await settled(alice.get('/messages'))).status).toBe(200);

    const inFlight = amavisDb.nextHeldFromClient();
    amavisDb.stall();
    const listing = settled(alice.get('/messages?type=banned'));
    // The listing's statement has left the server; cut every connection, as a failover does.
    await Promise.race([inFlight, listing]);
    amavisDb.cut();
    appDb.cut();
    amavisDb.resume();
    await expectBusy(await listing);

    // Same cookie, next request: still signed in, and the listing works again.
    const again = await alice.get('/messages?type=banned');
    expect(again.status, await again.clone().text()).toBe(200);
    expect((await bodyOf<SessionResponse>(await alice.get('/session'))).user.email).toBe(USERS.alice.email);
  });

  it('retries a session lookup once when its idle connection was cut, and never signs the user out', async () => {
    // One connection per pool: the session lookup surely runs on the one the cut breaks. No session
    // cache, or the lookup under test would be answered from memory.
    const single = await startTestServer(env({ AQ_DB_POOL_MAX: '1', AQ_SESSION_CACHE_MS: '0' }));
    try {
      const bob = await signIn(single.url, USERS.bob);

      const inFlight = appDb.nextHeldFromClient();
      appDb.stall();
      const lookup = settled(bob.get('/session'));
      await Promise.race([inFlight, lookup]);
      appDb.cut();
      appDb.resume();
      const res = await lookup;
      expect(res.status, await res.clone().text()).toBe(200);
      expect((await bodyOf<SessionResponse>(res)).user.email).toBe(USERS.bob.email);
      expect((await settled(bob.get('/session'))).status).toBe(200);
    } finally {
      await single.close();
    }
  });

  it('answers a bounded 503 while the database is stalled, and keeps the session', async () => {
    const alice = await signIn(server.url, USERS.alice);
    amavisDb.stall();
    appDb.stall();
    // Nothing is resumed until the answer is in: the server gives up on its own.
    await expectBusy(await alice.get('/messages'));
    appDb.resume();
    amavisDb.resume();
    const again = await alice.get('/messages');
    expect(again.status, await again.clone().text()).toBe(200);
  });

  it('keeps serving under 12 concurrent releases and 50 concurrent heavy listings by one user', async () => {
    const [alice, admin, bob] = await Promise.all([signIn(server.url, USERS.alice), signIn(server.url, USERS.admin), signIn(server.url, USERS.bob)]);
    const ids: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const sent = await Promise.all(Array.from({ length: 4 }, () => sendThroughAmavis(server.context, { to: [USERS.alice.email] })));
      ids.push(...sent.map((m) => m[USERS.alice.email]!));
    }

    const releases = ids.map((id) => alice.request('POST', `/messages/${id}/release`, {}));
    const heavy = Array.from({ length: 50 }, () => admin.get('/messages?type=banned&count=true&limit=100'));
    // Another user, while all of that is in flight.
    const other = await bob.get('/messages');
    expect(other.status, await other.clone().text()).toBe(200);

    const released = await Promise.all(releases);
    const listed = await Promise.all(heavy);
    expect(listed.map((r) => r.status).filter((s) => ![200, 429, 503].includes(s))).toEqual([]);
    // One session may list only a few at once: the rest were turned away, with a time to come back.
    const refused = listed.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    await expectBusy(refused[0]!, 429);
    expect(released.map((r) => r.status).filter((s) => ![200, 503].includes(s))).toEqual([]);
    expect(released.some((r) => r.status === 200)).toBe(true);

    // Every attempt, whatever its outcome, has its audit entry, and the entry says that outcome.
    for (const [i, id] of ids.entries()) {
      const ref = decodeMessageRef(id)!;
      const entries = await server.context.appModels.Audit.findAll({ where: { action: 'release', mail_id: ref.mailId, rseqnum: ref.rseqnum } });
      expect(entries.map((e) => e.get('result'))).toEqual([released[i]!.status === 200 ? 'ok' : 'failed']);
    }
  });
});
