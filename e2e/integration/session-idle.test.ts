import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../shared/session';
import { bodyOf, errorOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/server';

// The idle limit (AQ_SESSION_IDLE_MINUTES) is the session row's own deadline, moved by a request once it
// lags by more than a minute and checked on every request, not the store's 15-minute sweep. Idleness is
// made by moving the deadline into the past in the real store, never by waiting. Each test's first
// request after its sign-in reads the row (a sign-in leaves nothing in the instance's session cache).
describe('the idle limit of sessions', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...ROLE_ENV, AQ_SESSION_IDLE_MINUTES: '30' });
  });
  afterAll(() => server.close());

  const sidOf = (session: ApiSession) =>
    decodeURIComponent(session.cookie?.split('=')[1] ?? '')
      .replace(/^s:/, '')
      .split('.')[0] ?? '';
  const sessionRow = (session: ApiSession) => server.context.appModels.Session.findByPk(sidOf(session));
  /** What a user idle for `minutes` looks like in the store: the deadline passed that long ago. */
  const idleFor = async (session: ApiSession, minutes: number) => {
    await server.context.appModels.Session.update({ expires: new Date(Date.now() - minutes * 60_000) }, { where: { sid: sidOf(session) } });
  };

  it('moves a deadline that lags by more than a minute on the next request', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    await server.context.appModels.Session.update({ expires: new Date(Date.now() + 60_000) }, { where: { sid: sidOf(session) } });
    const res = await session.get('/session');
    expect(res.status).toBe(200);
    // The answer ends only once the deadline is written (express-session's touch comes before its last
    // byte); its status comes earlier, so the row is read after the whole body.
    await res.text();
    const deadline = new Date(String((await sessionRow(session))?.get('expires'))).getTime();
    expect(deadline - Date.now()).toBeGreaterThan(29 * 60_000);
  });

  it('answers an idle session 401 session_expired and destroys it, on any request', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    await idleFor(session, 1);
    const res = await session.get('/messages?limit=1');
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('session_expired');
    expect(await sessionRow(session)).toBeNull();
    // Gone for good: the same cookie is no session at all now.
    const again = await session.get('/session');
    expect(again.status).toBe(401);
    expect((await errorOf(again)).code).toBe('unauthorized');
  });

  it('refuses a state change on an idle session before anything else', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    await idleFor(session, 5);
    const res = await session.request('DELETE', '/session');
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('session_expired');
  });

  it('lets a browser holding an idle cookie sign in again, with a new session id', async () => {
    const session = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    const idle = sidOf(session);
    await idleFor(session, 1);
    const res = await session.signIn(USERS.bob.email, USERS.bob.password);
    expect(res.status).toBe(200);
    expect((await bodyOf<SessionResponse>(res)).user.email).toBe('bob@example.test');
    expect(sidOf(session)).not.toBe(idle);
    expect(await server.context.appModels.Session.findByPk(idle)).toBeNull();
    expect((await session.get('/session')).status).toBe(200);
  });
});
