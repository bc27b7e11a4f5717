import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WIDGET_CHUNKS } from '../../shared/routes';
import { startTestServer, type TestServer } from '../support/server';

const BUILT = 'dist/widget/amavis-quarantine.js';

/** A GET that keeps the body as sent: fetch() would decompress it behind our back. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

// The widget as a webmail's <script> tag loads it from the real server, compressed as the browser asks.
describe('serving the widget bundle', () => {
  let server: TestServer;
  let built: Buffer;
  beforeAll(async () => {
    if (!existsSync(`${BUILT}.br`)) throw new Error('run `npm run build` first (npm test does): it writes the precompressed copies');
    built = readFileSync(BUILT);
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('sends %s to a browser that accepts it, decompressing to the built file', async (encoding, decompress) => {
    const res = await get(`${server.url}/amavis-quarantine.js`, { 'Accept-Encoding': encoding === 'br' ? 'gzip, deflate, br, zstd' : 'gzip, deflate' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body.length).toBeLessThan(built.length / 2);
    expect(decompress(res.body).equals(built)).toBe(true);
  });

  it('sends the file as built to a client that accepts neither', async () => {
    const res = await get(`${server.url}/amavis-quarantine.js`, { 'Accept-Encoding': 'identity' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.body.equals(built)).toBe(true);
  });

  it('revalidates the stable URL by ETag, one per encoding', async () => {
    const br = await get(`${server.url}/amavis-quarantine.js`, { 'Accept-Encoding': 'br' });
    const gzip = await get(`${server.url}/amavis-quarantine.js`, { 'Accept-Encoding': 'gzip' });
    expect(br.headers.etag).toBeTruthy();
    expect(br.headers.etag).not.toBe(gzip.headers.etag);
    const again = await get(`${server.url}/amavis-quarantine.js`, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('serves the current build at a content-hashed URL with a long, immutable cache', async () => {
    const manifest = (await (await fetch(`${server.url}/amavis-quarantine.json`)).json()) as { src: string; integrity: string };
    const hash = createHash('sha256').update(built).digest('hex').slice(0, 16);
    expect(manifest).toEqual({ src: `amavis-quarantine.${hash}.js`, integrity: `sha384-${createHash('sha384').update(built).digest('base64')}` });

    const res = await get(`${server.url}/${manifest.src}`, { 'Accept-Encoding': 'gzip, br' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(brotliDecompressSync(res.body).equals(built)).toBe(true);

    // Another build's hash is not served, and not cached as if it were.
    const old = await get(`${server.url}/amavis-quarantine.0123456789abcdef.js`);
    expect(old.status).toBe(404);
    expect(old.headers['cache-control'] ?? '').not.toMatch(/immutable/);
  });

  // What a user needs later (de/fr strings, the message view, the secondary screens) is in chunks the main
  // file loads from beside itself by <script integrity crossorigin>: hashed names, cached for a year, CORS.
  it('serves every chunk the main file names at its hashed URL, with integrity, CORS and the long cache', async () => {
    const files = readdirSync('dist/widget').filter((f) => /^amavis-quarantine\.[a-z]+\.[0-9a-f]{16}\.js$/.test(f));
    expect(files.map((f) => f.split('.')[1]).sort()).toEqual([...WIDGET_CHUNKS].sort());
    const main = built.toString('utf8');
    for (const file of files) {
      const chunk = readFileSync(`dist/widget/${file}`);
      const digest = createHash('sha256').update(chunk).digest();
      expect(file).toContain(`.${digest.toString('hex').slice(0, 16)}.js`);
      // The main file pins the chunk: a host that pinned the main file by SRI pins its chunks with it.
      expect(main).toContain(`sha256-${digest.toString('base64')}`);

      const res = await get(`${server.url}/${file}`, { 'Accept-Encoding': 'gzip, br', Origin: 'https://webmail.example.test' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(brotliDecompressSync(res.body).equals(chunk)).toBe(true);
      const plain = await get(`${server.url}/${file}`, { 'Accept-Encoding': 'identity' });
      expect(plain.body.equals(chunk)).toBe(true);
    }
  });

  it('answers 404, never cached, for a chunk of another build or an unknown one', async () => {
    for (const path of ['amavis-quarantine.stats.0123456789abcdef.js', 'amavis-quarantine.nosuch.0123456789abcdef.js', 'amavis-quarantine.STATS.0123456789abcdef.js']) {
      const res = await get(`${server.url}/${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers['cache-control'] ?? '', path).not.toMatch(/immutable/);
    }
  });
});
