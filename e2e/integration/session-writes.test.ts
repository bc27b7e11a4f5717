import type { Model, ModelStatic } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiSession, errorOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/server';

const IDLE_MS = 30 * 60_000;
/** What the widget sends at once when it opens: the session, the first page, and the counts. */
const WIDGET_OPENS = ['/session', '/messages?limit=1', '/messages?limit=1&count=true'];

const sidOf = (session: ApiSession) =>
  decodeURIComponent(session.cookie?.split('=')[1] ?? '')
    .replace(/^s:/, '')
    .split('.')[0] ?? '';

/** Another client holding the same cookie and token (a second tab, or the same browser sent to another instance). */
const sameBrowser = (session: ApiSession, base: string) => {
  const copy = new ApiSession(base);
  copy.cookie = session.cookie;
  copy.csrfToken = session.csrfToken;
  return copy;
};

/** A time in whole seconds, which every database stores exactly (MariaDB's DATETIME drops the milliseconds). */
const wholeSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/**
 * Counts what the server asks of its `aq_sessions` model: reads (SELECT) and writes (INSERT, UPDATE,
 * DELETE). The row's own `expires`, read back from the database, is the other witness.
 */
function countStatements(model: ModelStatic<Model>) {
  const counts = { reads: 0, writes: 0 };
  model.addHook('beforeFind', 'session-writes-test', () => void counts.reads++);
  for (const hook of ['beforeCreate', 'beforeUpdate', 'beforeBulkUpdate', 'beforeDestroy', 'beforeBulkDestroy'] as const) {
    model.addHook(hook, 'session-writes-test', () => void counts.writes++);
  }
  return counts;
}

// The session row lives in the app database, by default amavis's own: a request does not write it unless
// its idle deadline lags by more than a minute, and a burst of requests reads it once.
describe('session rows: written once a minute at most, read once per burst', () => {
  describe('the idle deadline', () => {
    let server: TestServer;
    beforeAll(async () => {
      // No cache: every request reads the row, so a deadline the test writes counts on the next request.
      server = await startTestServer({ ...ROLE_ENV, AQ_SESSION_IDLE_MINUTES: '30', AQ_SESSION_CACHE_MS: '0' });
    });
    afterAll(() => server.close());

    const Session = () => server.context.appModels.Session;
    const deadlineOf = async (session: ApiSession) => new Date(String((await Session().findByPk(sidOf(session)))?.get('expires'))).getTime();
    const setDeadline = (session: ApiSession, at: Date) => Session().update({ expires: at }, { where: { sid: sidOf(session) } });

    it('is not written by the requests of the next minute, and is moved by the first request after it', async () => {
      const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
      // As if the last write was 30 s ago: any write by a request would move it by those 30 s.
      const recent = wholeSecond(Date.now() + IDLE_MS - 30_000);
      await setDeadline(session, recent);
      const counts = countStatements(Session());

      for (let i = 0; i < 10; i++) expect((await session.get('/messages?limit=1')).status).toBe(200);
      const burst = await Promise.all(WIDGET_OPENS.map((path) => session.get(path)));
      expect(burst.map((res) => res.status)).toEqual([200, 200, 200]);
      expect(counts).toEqual({ reads: 13, writes: 0 });
      expect(await deadlineOf(session)).toBe(recent.getTime());

      // The deadline lags by two minutes now: the next request moves it to a full idle limit from now, once.
      await setDeadline(session, wholeSecond(Date.now() + IDLE_MS - 2 * 60_000));
      counts.writes = 0;
      const before = Date.now();
      const res = await session.get('/messages?limit=1');
      expect(res.status).toBe(200);
      // The answer ends only once the deadline is written; its status comes before that, its last byte after.
      await res.text();
      const moved = await deadlineOf(session);
      expect(counts.writes).toBe(1);
      expect(moved).toBeGreaterThan(before + IDLE_MS - 2_000);
      expect(moved).toBeLessThanOrEqual(Date.now() + IDLE_MS);

      // And the requests after it write nothing again.
      for (let i = 0; i < 5; i++) expect((await session.get('/session')).status).toBe(200);
      expect(counts.writes).toBe(1);
      expect(await deadlineOf(session)).toBe(moved);
    });
  });

  describe('the session cache', () => {
    let one: TestServer;
    let two: TestServer;
    // One's cache outlasts anything the test does; two's is short, so its sign-out is seen within the test.
    const TWO_CACHE_MS = 1_000;
    beforeAll(async () => {
      one = await startTestServer({ ...ROLE_ENV, AQ_SESSION_CACHE_MS: '60000' });
      two = await startTestServer({ ...ROLE_ENV, AQ_SESSION_CACHE_MS: String(TWO_CACHE_MS) });
    });
    afterAll(async () => {
      await one.close();
      await two.close();
    });

    it('reads the row once for a burst of requests, and writes nothing', async () => {
      const session = await signedIn(one.url, USERS.bob.email, USERS.bob.password);
      const counts = countStatements(one.context.appModels.Session);
      const burst = await Promise.all(WIDGET_OPENS.map((path) => session.get(path)));
      expect(burst.map((res) => res.status)).toEqual([200, 200, 200]);
      for (let i = 0; i < 5; i++) expect((await session.get('/messages?limit=1')).status).toBe(200);
      expect(counts).toEqual({ reads: 1, writes: 0 });
    });

    it('refuses a signed-out session at once on the instance that signed it out, and on another within its cache time', async () => {
      const session = await signedIn(one.url, USERS.alice.email, USERS.alice.password);
      const onTwo = sameBrowser(session, two.url);
      // Both instances hold the row in memory now.
      expect((await onTwo.get('/session')).status).toBe(200);
      expect((await session.get('/session')).status).toBe(200);

      // Signed out from another tab on instance one (the answer clears that tab's cookie, not this one's).
      expect((await sameBrowser(session, one.url).request('DELETE', '/session')).status).toBe(204);
      const signedOutAt = Date.now();
      const onOne = await session.get('/session');
      expect(onOne.status).toBe(401);
      expect((await errorOf(onOne)).code).toBe('unauthorized');

      // Two read the row before the sign-out: its copy is stale once its cache time has passed since then,
      // and waiting longer (a loaded machine) changes nothing.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, signedOutAt + TWO_CACHE_MS + 50 - Date.now())));
      const later = await onTwo.get('/session');
      expect(later.status).toBe(401);
      expect((await errorOf(later)).code).toBe('unauthorized');
    });
  });
});
