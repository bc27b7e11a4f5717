import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantineListResponse } from '../../shared/quarantine';
import { bodyOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { stackEnv } from '../support/stack';
import { startTcpProxy, targetOf, throughProxy, type TcpProxy } from '../support/tcp-proxy';

// Identical listings that come in together share one statement (routes/messages.ts). Here the amavis
// database is reached through a proxy the test controls, so that the answer to a listing can be held after
// the statement ran: the test then changes the quarantine and asks the same question again, and must get
// the quarantine as it is now, not the held answer. Everything else is the real stack: the mail comes
// through amavisd, the delete is the API's own.
describe('identical listings in flight together', () => {
  let proxy: TcpProxy;
  let server: TestServer;
  let alice: ApiSession;
  const subject = `shared listing ${randomBytes(4).toString('hex')}`;
  let id: string;

  beforeAll(async () => {
    const url = stackEnv().AQ_DB_URL;
    proxy = await startTcpProxy(targetOf(url));
    // Our own tables (sessions, audit) directly: only amavis's tables and the list index go through the proxy.
    server = await startTestServer({ ...ROLE_ENV, AQ_DB_URL: throughProxy(url, proxy), AQ_APP_DB_URL: url });
    const ids = await sendThroughAmavis(server.context, { to: [USERS.alice.email], subject });
    id = ids[USERS.alice.email]!;
    while (!(await server.context.listIndexer.runOnce())) await new Promise((resolve) => setTimeout(resolve, 100));
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
  });
  afterAll(async () => {
    proxy?.resume();
    await server?.close();
    await proxy?.close();
  });

  const subjects = async (res: Response) => {
    expect(res.status).toBe(200);
    return (await bodyOf<QuarantineListResponse>(res)).items.map((item) => item.subject);
  };

  it('never answers a listing with a statement that ran before the listing came in', async () => {
    expect(await subjects(await alice.get('/messages?limit=50'))).toContain(subject);

    // The first listing's statement runs, and its answer (which holds the message) is kept from the server.
    const held = proxy.holdAnswerWith(Buffer.from(subject));
    const first = alice.get('/messages?limit=50');
    await held;

    // Meanwhile the message is deleted, and the same question is asked again, by the same session.
    expect((await alice.request('POST', `/messages/${id}/delete`, {})).status).toBe(200);
    const second = alice.get('/messages?limit=50');
    // A session may run two listings at once (AQ_LIST_MAX_PER_SESSION): once a third is refused as busy,
    // the server has taken in the second, which waits for a statement.
    let busy = false;
    for (let i = 0; i < 200 && !busy; i++) busy = (await alice.get('/messages?limit=1&type=virus')).status === 429;
    expect(busy).toBe(true);

    proxy.resume();
    // The first was read before the delete, and says so; the second came after it, and must not show it.
    expect(await subjects(await first)).toContain(subject);
    expect(await subjects(await second)).not.toContain(subject);
  });
});
