import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDetail } from '../../shared/message';
import { ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { HOSTILE_MAILS, sendRawThroughAmavis } from '../support/send-raw';
import { startTestServer, type TestServer } from '../support/server';

// Issue #10: quarantined mail is hostile, and a spammer pays nothing for deep nesting or size. Each of
// these once held the server's only thread for seconds to minutes. Now every view answers 200 with what
// can be shown, and the rest of the server keeps answering meanwhile.
describe('hostile mail cannot freeze the server', () => {
  let server: TestServer;
  let alice: ApiSession;
  let bob: ApiSession;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(ROLE_ENV);
    alice = await signedIn(server.url, USERS.alice.email, USERS.alice.password);
    bob = await signedIn(server.url, USERS.bob.email, USERS.bob.password);
    for (const [name, build] of Object.entries(HOSTILE_MAILS)) {
      const sent = await sendRawThroughAmavis(server.context, ['alice@example.test'], build());
      ids[name] = sent['alice@example.test'] ?? '';
    }
  }, 300_000);
  afterAll(() => server.close());

  it('answers every hostile view with 200, while the health check and another user\u2019s list complete first', async () => {
    const order: string[] = [];
    const done = <T>(label: string, p: Promise<T>) => p.then((value) => (order.push(label), value));
    // All at once: the pool queues them, and the server's own thread stays free for everyone else.
    const views = Object.entries(ids).map(([name, id]) =>
      done(
        `view ${name}`,
        alice.get(`/messages/${id}`).then(async (res) => ({ name, status: res.status, detail: (await res.json()) as MessageDetail })),
      ),
    );
    const health = done('health', fetch(`${server.url}/api/health`));
    const list = done('bob list', bob.get('/messages'));
    expect((await list).status).toBe(200);
    expect((await health).status).toBeLessThan(600);
    const results = await Promise.all(views);

    const lastView = Math.max(...Object.keys(ids).map((name) => order.indexOf(`view ${name}`)));
    expect(order.indexOf('health'), order.join(', ')).toBeLessThan(lastView);
    expect(order.indexOf('bob list'), order.join(', ')).toBeLessThan(lastView);
    for (const r of results) expect(r.status, `${r.name}: ${JSON.stringify(r.detail).slice(0, 300)}`).toBe(200);

    const byName = Object.fromEntries(results.map((r) => [r.name, r.detail]));
    // Nesting beyond the limit is flattened, not refused: the HTML is shown, simplified.
    expect(byName['deep-divs']).toMatchObject({ parseError: 'too_complex' });
    expect(byName['deep-divs']?.html).toContain('deep');
    expect(byName['unclosed-fonts']).toMatchObject({ parseError: 'too_complex' });
    expect(byName['unclosed-fonts']?.html).toContain('x');
    // Too many elements, or too large: no HTML, but the text made from it, within the view's bound.
    for (const name of ['unclosed-spans', 'big-table', 'qp-html']) {
      const detail = byName[name];
      expect(detail?.parseError, name).toMatch(/^too_(complex|large)$/);
      expect(detail?.html, name).toBeNull();
      expect(detail?.text, name).toContain('GTUBE');
      expect(detail?.text?.length ?? 0, name).toBeLessThanOrEqual(2 * 1024 * 1024);
      expect(detail?.headers.subject, name).not.toBe('');
      // The why-panel and the actions come from amavis's record and the headers, not from the body.
      expect(detail?.reason.type, name).toBe(detail?.item.type);
      expect(detail?.item.actions.length, name).toBeGreaterThan(0);
    }
    expect(byName['big-table']?.text).toContain('Offer 100');
    expect(byName['qp-html']?.text).toContain('Offer 100');
    // 20,000 remote images: sanitized and held back, all of them.
    expect(byName['many-images']).toMatchObject({ parseError: null, remoteImages: 20_000 });
    expect(byName['many-images']?.html).not.toMatch(/ src=/);
  });

  it('decodes a raw latin-1 header with the message\u2019s charset, as the list does', async () => {
    const res = await alice.get(`/messages/${ids['latin1-header']}`);
    expect(res.status).toBe(200);
    const detail = (await res.json()) as MessageDetail;
    expect(detail.headers.subject).toBe('Gr\u00fc\u00dfe aus D\u00fcsseldorf');
    expect(detail.text).toContain('Sch\u00f6ne Gr\u00fc\u00dfe');
    expect(detail.parseError).toBeNull();
  });

  it('shows a tiny S/MIME-only message as what it is: no body, one attachment, no error', async () => {
    const res = await alice.get(`/messages/${ids['smime-only']}`);
    expect(res.status).toBe(200);
    const detail = (await res.json()) as MessageDetail;
    expect(detail.parseError).toBeNull();
    expect(detail.html).toBeNull();
    expect(detail.attachments.map((a) => a.name)).toEqual(['smime.p7m']);
    expect(detail.headers.subject).toBe('Signed');
  });

  it('replaces a worker that runs out of time, keeps what was parsed, and serves the next view', async () => {
    // One worker, and too little time to sanitize 20,000 images: the parsed mail (headers, text made
    // from the HTML) still comes back, and the replacement worker opens the next message.
    const strict = await startTestServer({ ...ROLE_ENV, AQ_VIEW_WORKERS: '1', AQ_VIEW_TIMEOUT_MS: '400' });
    try {
      const session = await signedIn(strict.url, USERS.alice.email, USERS.alice.password);
      const slow = (await (await session.get(`/messages/${ids['many-images']}`)).json()) as MessageDetail;
      expect(slow.parseError).toBe('too_complex');
      expect(slow.html).toBeNull();
      expect(slow.headers.subject).toBe('20,000 images');
      const next = await session.get(`/messages/${ids['latin1-header']}`);
      expect(next.status).toBe(200);
      expect(((await next.json()) as MessageDetail).headers.subject).toBe('Gr\u00fc\u00dfe aus D\u00fcsseldorf');
    } finally {
      await strict.close();
    }
  });
});
