import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_PROGRESS_TYPE, type BatchProgressLine } from '../../shared/batch';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { BatchItemResult, BatchResponse } from '../../shared/release';
import { decodeMessageRef, encodeMessageRef } from '../../server/amavis/message-ref';
import type { ReleaseService } from '../../server/services/release';
import { amavisModels } from '../support/amavis-models';
import { bodyOf, ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { inboxMessages } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startServerChild, type ServerChild } from '../support/server-child';
import { startTestServer, type TestServer } from '../support/server';

const ALICE = USERS.alice.email;

/** Reads a batch's progress answer line by line, calling `onLine` as each arrives. */
async function progressOf(res: Response, onLine: (line: BatchProgressLine) => void = () => undefined): Promise<BatchProgressLine[]> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain(BATCH_PROGRESS_TYPE);
  const lines: BatchProgressLine[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      const line = JSON.parse(part) as BatchProgressLine;
      lines.push(line);
      onLine(line);
    }
  }
  expect(buffer).toBe('');
  return lines;
}

/** Asserts the shape of a complete progress answer for `ids` and returns the final results. */
function checkProgress(lines: BatchProgressLine[], ids: string[]): BatchItemResult[] {
  expect(lines[0]).toEqual({ type: 'start', total: ids.length });
  const steps = lines.slice(1, -1);
  expect(steps.map((l) => (l.type === 'result' ? l.done : -1))).toEqual(ids.map((_, i) => i + 1));
  expect(steps.every((l) => l.type === 'result' && l.total === ids.length)).toBe(true);
  const end = lines.at(-1);
  if (end?.type !== 'end') throw new Error(`the progress did not end: ${JSON.stringify(end)}`);
  expect(end.results.map((r) => r.id)).toEqual(ids);
  // Each id's result in the progress is the one in the final list.
  const streamed = new Map(steps.map((l) => (l.type === 'result' ? [l.result.id, l.result] : ['', null])));
  expect(end.results.map((r) => streamed.get(r.id))).toEqual(end.results);
  return end.results;
}

const progressHeaders = { Accept: `${BATCH_PROGRESS_TYPE}, application/json` };

/** Resolves once the child server has logged that it refuses new requests (or has exited). */
async function shuttingDown(child: ServerChild): Promise<void> {
  while (!/shutting down: refusing new requests/.test(child.output())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('batches: progress, per-id outcomes, and a shutdown in the middle', () => {
  let server: TestServer;
  let alice: ApiSession;
  const tag = `Progress ${randomBytes(4).toString('hex')}`;
  const released: string[] = [];

  /** Sends `n` spam mails to alice through amavisd, a few at a time; returns their ids and subjects. */
  async function mailsToAlice(n: number, label: string): Promise<Array<{ id: string; subject: string }>> {
    const out: Array<{ id: string; subject: string }> = [];
    for (let i = 0; i < n; i += 4) {
      const batch = Array.from({ length: Math.min(4, n - i) }, (_, j) => `${tag} ${label} ${i + j}`);
      const sent = await Promise.all(batch.map(async (subject) => ({ subject, id: (await sendThroughAmavis(server.context, { to: [ALICE], subject }))[ALICE]! })));
      out.push(...sent);
    }
    return out;
  }

  const rsOf = async (id: string) => {
    const ref = decodeMessageRef(id)!;
    const row = await amavisModels(server.context).Msgrcpt.findOne({ where: { partition_tag: ref.partitionTag, mail_id: ref.mailId, rseqnum: ref.rseqnum } });
    return row?.rs;
  };

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
  }, 60_000);
  afterAll(() => server?.close());

  it('reports a batch of 22 in order as it goes, and every id\u2019s result', async () => {
    const mails = await mailsToAlice(21, 'A');
    const forged = encodeMessageRef({ partitionTag: 0, mailId: 'ForgedMail02', rseqnum: 1 });
    const ids = [...mails.map((m) => m.id), forged];
    const lines = await progressOf(await alice.request('POST', '/messages/batch', { action: 'release', ids }, progressHeaders));
    const results = checkProgress(lines, ids);
    expect(results.slice(0, 21)).toEqual(mails.map((m) => ({ id: m.id, ok: true, status: 'released' })));
    expect(results[21]).toMatchObject({ id: forged, ok: false, code: 'not_found', httpStatus: 404 });
    // What the results claim, the peers show: each copy once in alice's INBOX, and marked released.
    expect(await inboxMessages(USERS.alice, 'subject', `${tag} A `)).toHaveLength(21);
    for (const m of mails) expect(await rsOf(m.id)).toBe('R');
    released.push(...mails.map((m) => m.id));
  }, 180_000);

  it('counts a copy already in the wished state as done, and sends nothing again', async () => {
    const again = released.slice(0, 3);
    const res = await alice.request('POST', '/messages/batch', { action: 'release', ids: again });
    expect(res.status).toBe(200);
    expect((await bodyOf<BatchResponse>(res)).results).toEqual(again.map((id) => ({ id, ok: true, status: 'released' })));
    expect(await inboxMessages(USERS.alice, 'subject', `${tag} A `)).toHaveLength(21);

    const [fresh] = await mailsToAlice(1, 'D');
    const del = (ids: string[]) => alice.request('POST', '/messages/batch', { action: 'delete', ids }).then((r) => bodyOf<BatchResponse>(r));
    expect((await del([fresh!.id])).results).toEqual([{ id: fresh!.id, ok: true, status: 'deleted' }]);
    expect((await del([fresh!.id])).results).toEqual([{ id: fresh!.id, ok: true, status: 'deleted' }]);
  }, 60_000);

  it('makes an unexpected error one id\u2019s failure and goes on with the rest', async () => {
    const mails = await mailsToAlice(4, 'F');
    const broken = mails[1]!.id;
    // A fault the peers cannot produce on demand: the service throws a plain error for one id.
    const release = server.context.release as { release: ReleaseService['release'] };
    const real = release.release;
    release.release = (user, id, options) =>
      id === broken ? Promise.reject(new TypeError("Cannot read properties of undefined (reading 'open')")) : real(user, id, options);
    try {
      const res = await alice.request('POST', '/messages/batch', { action: 'release', ids: mails.map((m) => m.id) });
      expect(res.status).toBe(200);
      const { results } = await bodyOf<BatchResponse>(res);
      expect(results).toEqual(
        mails.map((m) =>
          m.id === broken
            ? { id: broken, ok: false, code: 'internal', message: 'something went wrong on the server; the log has the details', httpStatus: 500 }
            : { id: m.id, ok: true, status: 'released' },
        ),
      );
    } finally {
      release.release = real;
    }
    expect(await inboxMessages(USERS.alice, 'subject', `${tag} F `)).toHaveLength(3);
    expect(await rsOf(broken)).not.toBe('R');
  }, 60_000);

  it('on SIGTERM: refuses new requests, lets the releases in flight finish, answers every id, and exits', async () => {
    const mails = await mailsToAlice(12, 'S');
    const ids = mails.map((m) => m.id);
    let child: ServerChild | undefined;
    try {
      child = await startServerChild({ overrides: ROLE_ENV });
      const running = child;
      const session = await signedIn(running.url, USERS.alice.email, USERS.alice.password);
      let signalled = false;
      let late: Promise<{ status: number; retryAfter: string | null }> | undefined;
      const lines = await progressOf(await session.request('POST', '/messages/batch', { action: 'release', ids }, progressHeaders), (line) => {
        if (line.type !== 'result') return;
        if (!signalled) {
          // After the first result, while the next releases are out with amavisd.
          signalled = true;
          running.signal('SIGTERM');
        } else if (!late) {
          // The batch still runs, so the process is up: a new request must be turned away all the same.
          // The signal is handled asynchronously by the child: ask once it says it is shutting down.
          late = shuttingDown(running).then(() =>
            session.get('/health/live').then(
              (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after') }),
              () => ({ status: 0, retryAfter: null }),
            ),
          );
        }
      });
      const results = checkProgress(lines, ids);
      const done = results.filter((r) => r.ok);
      const skipped = results.filter((r) => !r.ok);
      expect(done.length).toBeGreaterThanOrEqual(1);
      expect(skipped.length).toBeGreaterThanOrEqual(1);
      expect(skipped.every((r) => !r.ok && r.code === 'busy' && r.httpStatus === 503 && r.message.startsWith('not attempted'))).toBe(true);

      // Refused: no new connection is taken (status 0 here), and a kept-alive one answers 503 busy.
      const refused = await late;
      expect(refused && (refused.status === 0 || (refused.status === 503 && refused.retryAfter !== null))).toBe(true);

      expect(await running.exited).toBe(0);
      expect(running.output()).toMatch(/shutting down: refusing new requests/);
      expect(running.output()).toMatch(/every request in progress has finished/);
      expect(running.output()).toMatch(/batch cut short by the shutdown/);

      // The releases that went out are delivered once and marked released; the others were never sent.
      const inbox = await inboxMessages(USERS.alice, 'subject', `${tag} S `);
      expect(inbox).toHaveLength(done.length);
      for (const r of done) expect(await rsOf(r.id)).toBe('R');
      for (const r of skipped) expect(await rsOf(r.id)).not.toBe('R');
    } finally {
      await child?.kill();
    }
  }, 240_000);
});

describe('the demo under "select all, Release"', () => {
  let demo: ServerChild | undefined;
  afterAll(() => demo?.kill());

  it('reports every message\u2019s result and stays up', async () => {
    demo = await startServerChild({ demo: true });
    const admin = await signedIn(demo.url, 'postmaster@demo.example', 'demo');
    const { items } = await bodyOf<QuarantineListResponse>(await admin.get('/messages?limit=100'));
    const ids = items.filter((i) => i.actions.includes('release')).map((i) => i.id);
    expect(ids.length).toBeGreaterThan(10);
    const results = checkProgress(await progressOf(await admin.request('POST', '/messages/batch', { action: 'release', ids }, progressHeaders)), ids);
    expect(results).toEqual(ids.map((id) => ({ id, ok: true, status: 'released' })));
    // Already released is done, and the demo is still up.
    const again = await bodyOf<BatchResponse>(await admin.request('POST', '/messages/batch', { action: 'release', ids }));
    expect(again.results).toEqual(results);
    expect(demo.alive()).toBe(true);
    expect((await admin.get('/health/live')).status).toBe(200);
    expect(demo.output()).not.toMatch(/SQLITE_BUSY/);
  }, 120_000);
});
