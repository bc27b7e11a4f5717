import { afterEach, describe, expect, it } from 'vitest';
import { createViewPool, type ViewPool } from './view-pool';

const mail = (html: string, header = 'Subject: hello') =>
  Buffer.from(`From: a@sender.example\r\n${header}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}`, 'latin1');
const images = (n: number) => Array.from({ length: n }, (_, i) => `<img src="https://t.example/${i}.gif">`).join('');

// Each worker loads jsdom and DOMPurify, which takes seconds on a loaded machine: beyond vitest's 5 s default.
describe('the view pool (worker threads)', { timeout: 60_000 }, () => {
  let pool: ViewPool | undefined;
  afterEach(() => pool?.close());

  it('parses and sanitizes in a worker, and decodes a raw latin-1 header', async () => {
    pool = createViewPool({ workers: 1, timeoutMs: 20_000, memoryMb: 128, maxHtmlBytes: 1 << 20 });
    const { mail: parsed, body } = await pool.parse(mail('<p onclick="x()">hi<img src="https://t.example/p.gif"></p>', 'Subject: Gr\u00fc\u00dfe aus K\u00f6ln'), {
      withReceived: false,
    });
    expect(parsed?.headers.subject).toBe('Gr\u00fc\u00dfe aus K\u00f6ln');
    expect(body).toEqual({ html: '<p>hi<img data-aq-src="https://t.example/p.gif"></p>\n', remoteImages: 1, parseError: null });
  });

  it('degrades what is beyond the pre-checks, without the DOM parser', async () => {
    pool = createViewPool({ workers: 2, timeoutMs: 20_000, memoryMb: 128, maxHtmlBytes: 1 << 20 });
    const [deep, many, large] = await Promise.all([
      pool.parse(mail(`${'<div>'.repeat(10_000)}deep`), { withReceived: false }),
      pool.parse(mail(`<p>intro</p>${'<span>'.repeat(100_000)}`), { withReceived: false }),
      pool.parse(mail(`<p>${'big '.repeat(300_000)}</p>`), { withReceived: false }),
    ]);
    expect(deep.body.parseError).toBe('too_complex');
    expect(deep.body.html).toContain('deep');
    expect(many.body).toMatchObject({ html: null, parseError: 'too_complex' });
    expect(many.mail?.text).toBe('intro');
    expect(large.body).toMatchObject({ html: null, parseError: 'too_large' });
    expect(large.mail?.text).toMatch(/^big big/);
  });

  it('replaces a worker that runs out of time, keeping what was parsed', async () => {
    pool = createViewPool({ workers: 1, timeoutMs: 400, memoryMb: 128, maxHtmlBytes: 4 << 20 });
    // 24,000 images take jsdom and DOMPurify far longer than 400 ms (over a second).
    const slow = await pool.parse(mail(images(24_000), 'Subject: slow'), { withReceived: false });
    expect(slow.mail?.headers.subject).toBe('slow');
    expect(slow.body).toEqual({ html: null, remoteImages: 0, parseError: 'too_complex' });
    const next = await pool.parse(mail('<b>ok</b>'), { withReceived: false });
    expect(next.body.html?.trim()).toBe('<b>ok</b>');
  });

  it('answers malformed MIME with no mail, and closes so the process can exit', async () => {
    pool = createViewPool({ workers: 1, timeoutMs: 20_000, memoryMb: 128, maxHtmlBytes: 1 << 20 });
    const nested = Array.from({ length: 300 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
    const outcome = await pool.parse(Buffer.from(`Subject: deep\r\n${nested}`), { withReceived: false });
    expect(outcome).toEqual({ mail: null, body: { html: null, remoteImages: 0, parseError: 'malformed' } });
    await pool.close();
    await expect(pool.parse(mail('x'), { withReceived: false })).rejects.toThrow(/busy/);
  });
});
