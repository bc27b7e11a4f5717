import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../shared/session';
import { ApiSession, bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { startTestServer, type TestServer } from '../support/server';

// Scaling out: stateless instances behind a load balancer share the session store in the database.
describe('two server instances', () => {
  let one: TestServer;
  let two: TestServer;
  beforeAll(async () => {
    one = await startTestServer(ROLE_ENV);
    two = await startTestServer(ROLE_ENV);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  it('share sessions: signed in on one, recognised and able to act on the other, signed out on both', async () => {
    expect(one.url).not.toBe(two.url);
    const session = await signedIn(one.url, USERS.alice.email, USERS.alice.password);
    const elsewhere = new ApiSession(two.url);
    elsewhere.cookie = session.cookie;
    elsewhere.csrfToken = session.csrfToken;
    const res = await elsewhere.get('/session');
    expect(res.status).toBe(200);
    expect((await bodyOf<SessionResponse>(res)).user.email).toBe('alice@example.test');
    expect((await elsewhere.get('/messages?limit=1')).status).toBe(200);

    expect((await elsewhere.request('DELETE', '/session')).status).toBe(204);
    expect((await session.get('/session')).status).toBe(401);
  });
});
