import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createSpamdClient } from '../../server/clients/spamd';
import { bayesCounts, spamdAddress, spamdCtl } from '../support/bayes';

// Issue #14: "Spam" / "Not spam" teach SpamAssassin through the stack's spamd (TELL), and the learning must
// land in the Bayes store amavisd itself reads; bayesCounts() reads that store the way amavisd finds it.
// spamd learns before it answers (no journal), so the counts are final once learn() resolves.
function uniqueMessage(): Buffer {
  const id = randomUUID();
  return Buffer.from(
    [
      'From: Learning Test <sender@sender.example.net>',
      'To: alice@example.test',
      `Subject: spamd learning ${id}`,
      `Message-ID: <${id}@aq-learn.example.test>`,
      'Date: Mon, 30 Nov 2026 12:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `Cheap replica watches, token ${id.replaceAll('-', '')}, limited offer: reply today.`,
      '',
    ].join('\r\n'),
  );
}

function inPieces(raw: Buffer): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < raw.length; i += 7) chunks.push(raw.subarray(i, i + 7));
  return Readable.from(chunks);
}

describe("learning through the stack's spamd", () => {
  const { host, port } = spamdAddress();
  const where = `${host}:${port}`;
  const spamd = createSpamdClient({ host, port, timeoutMs: 30_000 });

  afterAll(async () => {
    await spamdCtl('start'); // a no-op when it runs: leave the stack as we found it, even after a failure
  });

  it('learns a new message as spam once, answers already the second time, and moves it to ham', async () => {
    const message = uniqueMessage();
    const before = await bayesCounts();

    expect(await spamd.learn(message, 'spam')).toEqual({ outcome: 'learned', detail: `spamd at ${where} learned the message as spam` });
    expect(await bayesCounts()).toEqual({ nspam: before.nspam + 1, nham: before.nham });

    // spamd 4.0.1 answers "SPAMD/1.1 0 EX_OK" without DidSet: nothing changes.
    expect(await spamd.learn(message, 'spam')).toEqual({ outcome: 'already', detail: `spamd at ${where} learned nothing: the message was already learned as spam` });
    expect(await bayesCounts()).toEqual({ nspam: before.nspam + 1, nham: before.nham });

    // Learned as the other class, Bayes moves it over (spamd answers DidSet: local, and no DidRemove).
    expect(await spamd.learn(message, 'ham')).toEqual({ outcome: 'learned', detail: `spamd at ${where} learned the message as ham` });
    expect(await bayesCounts()).toEqual({ nspam: before.nspam, nham: before.nham + 1 });

    expect((await spamd.learn(message, 'ham')).outcome).toBe('already');
    expect(await bayesCounts()).toEqual({ nspam: before.nspam, nham: before.nham + 1 });
  });

  it('learns a streamed message with a User header into the same store', async () => {
    const before = await bayesCounts();
    const result = await spamd.learn(inPieces(uniqueMessage()), 'ham', { user: 'alice@example.test' });
    expect(result.outcome).toBe('learned');
    expect(await bayesCounts()).toEqual({ nspam: before.nspam, nham: before.nham + 1 });
  });

  it('fails with a detail, and learns nothing, while spamd is stopped', async () => {
    const before = await bayesCounts();
    await spamdCtl('stop');
    expect(await spamd.learn(uniqueMessage(), 'spam')).toEqual({ outcome: 'failed', detail: `connection refused at ${where}: spamd is not running there` });
    await spamdCtl('start');
    expect(await bayesCounts()).toEqual(before);
    // Back up, it learns again.
    expect((await spamd.learn(uniqueMessage(), 'spam')).outcome).toBe('learned');
  });
});
