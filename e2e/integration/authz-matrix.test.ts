import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessageRef, encodeMessageRef } from '../../server/amavis/message-ref';
import { ApiSession, errorOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { seedId, seedIds } from '../support/seed-ids';
import { startTestServer, type TestServer } from '../support/server';

// Every message route x every actor x every kind of id. A message outside the actor's scope must
// answer exactly like one that does not exist (404 not_found), so ids cannot be probed.
describe('authorization matrix', () => {
  let server: TestServer;
  const actors: Record<string, ApiSession> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    actors.anonymous = new ApiSession(server.url);
    for (const name of ['alice', 'bob', 'admin', 'super'] as const) actors[name] = await signedIn(server.url, USERS[name].email, USERS[name].password);
    const shared = await seedIds(server.context, 'spam-multi');
    ids.alice = await seedId(server.context, 'spam-single');
    ids.bob = await seedId(server.context, 'bad-header');
    ids.sharedAlice = shared['alice@example.test']!;
    ids.sharedBob = shared['bob@example.test']!;
    ids.carol = await seedId(server.context, 'other-domain');
    ids.forged = encodeMessageRef({ partitionTag: 0, mailId: 'ForgedMail01', rseqnum: 1 });
    const aliceRef = decodeMessageRef(ids.alice)!;
    ids.otherPartition = encodeMessageRef({ ...aliceRef, partitionTag: 7 });
    ids.otherRseqnum = encodeMessageRef({ ...decodeMessageRef(ids.sharedAlice)!, rseqnum: 3 });
    ids.garbage = 'not-an-id';
  });
  afterAll(() => server.close());

  const allowed: Record<string, string[]> = {
    anonymous: [],
    alice: ['alice', 'sharedAlice'],
    bob: ['bob', 'sharedBob'],
    admin: ['alice', 'bob', 'sharedAlice', 'sharedBob'],
    super: ['alice', 'bob', 'sharedAlice', 'sharedBob', 'carol'],
  };
  const idNames = ['alice', 'bob', 'sharedAlice', 'sharedBob', 'carol', 'forged', 'otherPartition', 'otherRseqnum', 'garbage'];
  const routes = [(id: string) => `/messages/${id}`, (id: string) => `/messages/${id}/raw`];

  for (const actor of Object.keys(allowed)) {
    it(`gives ${actor} exactly the allowed answers`, async () => {
      const answers: Record<string, number> = {};
      const expected: Record<string, number> = {};
      for (const [r, route] of routes.entries()) {
        for (const idName of idNames) {
          const key = `${r === 0 ? 'view' : 'raw'} ${idName}`;
          const res = await actors[actor]!.get(route(ids[idName]!));
          answers[key] = res.status;
          expected[key] = actor === 'anonymous' ? 401 : allowed[actor]!.includes(idName) ? 200 : 404;
          if (res.status === 404) expect((await errorOf(res)).code).toBe('not_found');
          else await res.arrayBuffer();
        }
      }
      expect(answers).toEqual(expected);
    });
  }
});
