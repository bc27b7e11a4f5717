import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { USERS } from '../support/api-client';
import { DIGEST_ENV, digestsIn, digestsSince, lmtpUrl, runDigest, spawnDigest, type ReceivedDigest } from '../support/digest';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const tag = () => randomBytes(4).toString('hex');

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Sending: several instances, and a sender that dies or loses the answer between claim and confirm.
describe('digest sending', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  const env = (smtp = lmtpUrl()) => ({ ...DIGEST_ENV, AQ_SMTP_URL: smtp });
  const viaProxy = () => env(`lmtp://127.0.0.1:${proxy.port}`);
  const subjectsOf = (digests: ReceivedDigest[]) => digests.map((d) => d.entries.map((e) => `${e.subject}${e.again ? ' (again)' : ''}`).sort());
  /** Backdates the user's last digest (test control of time, as --now-at is for the CLI), so they are due now. */
  const dueNow = (address: string) => server.context.digestModels.User.update({ last_sent_at: new Date(Date.now() - 2 * 86_400_000) }, { where: { address } });

  beforeAll(async () => {
    server = await startTestServer(env());
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(lmtpUrl()).port) });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('two instances with the scheduler on send each digest exactly once', async () => {
    for (const user of [USERS.alice, USERS.carol]) expect((await runDigest(env(), ['--user', user.email, '--now'])).code).toBe(0);
    const before = { alice: await digestsIn(USERS.alice), carol: await digestsIn(USERS.carol) };
    const subject = `Digest instances ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test', 'carol@other.test'], subject });
    await dueNow('alice@example.test');
    await dueNow('carol@other.test');
    const instances = [await startTestServer({ ...env(), AQ_DIGEST_INTERVAL_MS: '200' }), await startTestServer({ ...env(), AQ_DIGEST_INTERVAL_MS: '200' })];
    try {
      const carol = await waitFor(
        () => digestsSince(USERS.carol, before.carol),
        (d) => d.length > 0,
      );
      expect(subjectsOf(carol)).toEqual([[subject]]);
      // Both keep running every 200 ms for a while: each one's turn finds nothing more to send.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(subjectsOf(await digestsSince(USERS.carol, before.carol))).toEqual([[subject]]);
      expect(subjectsOf(await digestsSince(USERS.alice, before.alice))).toEqual([[subject]]);
    } finally {
      for (const instance of instances) await instance.close();
    }
  });

  it('a lost LMTP answer: the digest is not sent again, and its messages come back in the next one', async () => {
    expect((await runDigest(env(), ['--user', 'alice@example.test', '--now'])).code).toBe(0);
    const before = await digestsIn(USERS.alice);
    const first = `Digest lost answer ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: first });
    proxy.dropReplyAfterData('reset');
    const lost = await runDigest(viaProxy(), ['--user', 'alice@example.test', '--now']);
    expect(lost.code).toBe(1);
    expect(lost.out).toMatch(/sent, no answer \(not sent again; listed in the next digest\): alice@example.test/);
    // Dovecot took it before its answer was cut.
    const delivered = await digestsSince(USERS.alice, before);
    expect(subjectsOf(delivered)).toEqual([[first]]);

    // Run again, directly, twice (and the due run): nothing new, so no second copy of that window.
    expect((await runDigest(env(), ['--user', 'alice@example.test', '--now'])).out).toMatch(/nothing new/);
    await dueNow('alice@example.test');
    expect((await runDigest(env(), [])).code).toBe(0);
    expect(await digestsSince(USERS.alice, before)).toHaveLength(1);

    // Something new: the next digest lists it, and the unconfirmed one again, marked.
    const second = `Digest after lost ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: second });
    expect((await runDigest(env(), ['--user', 'alice@example.test', '--now'])).code).toBe(0);
    expect(subjectsOf(await digestsSince(USERS.alice, [...before, ...delivered]))).toEqual([[`${first} (again)`, second].sort()]);
  });

  it('a sender killed between claim and confirm: the next run settles it as unknown, sends nothing twice and drops nothing', async () => {
    expect((await runDigest(env(), ['--user', 'alice@example.test', '--now'])).code).toBe(0);
    const before = await digestsIn(USERS.alice);
    const first = `Digest killed ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: first });
    proxy.dropReplyAfterData('hold');
    const { child, exit } = spawnDigest(viaProxy(), ['--user', 'alice@example.test', '--now']);
    // Dovecot has the digest; the process waits for the answer the proxy holds, and is killed.
    const delivered = await waitFor(
      () => digestsSince(USERS.alice, before),
      (d) => d.length > 0,
    );
    child.kill('SIGKILL');
    await exit;
    expect(subjectsOf(delivered)).toEqual([[first]]);

    // The next run (it holds the lock: no sender is running) finds the claim with no outcome: unknown, not sent again.
    const settled = await runDigest(env(), ['--user', 'alice@example.test', '--now']);
    expect(settled.out).toMatch(/1 digest\(s\) left unconfirmed by a stopped run/);
    expect(settled.out).toMatch(/nothing new/);
    expect(await digestsSince(USERS.alice, before)).toHaveLength(1);

    const second = `Digest after kill ${tag()}`;
    await sendThroughAmavis(server.context, { to: ['alice@example.test'], subject: second });
    expect((await runDigest(env(), ['--user', 'alice@example.test', '--now'])).code).toBe(0);
    expect(subjectsOf(await digestsSince(USERS.alice, [...before, ...delivered]))).toEqual([[`${first} (again)`, second].sort()]);
  });
});
