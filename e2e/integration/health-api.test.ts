import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { stackCtl } from '../support/stack';

const HOST_ORIGIN = 'http://127.0.0.1:5999';

describe('GET /api/health and the skeleton, on the real stack', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ AQ_ALLOWED_ORIGINS: HOST_ORIGIN });
  });
  afterAll(() => server.close());

  it('says ok per component, and nothing more', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok', components: { db: 'ok', imap: 'ok', pdp: 'ok' } });
  });

  it('answers unknown API paths with a JSON 404 and a stable code', async () => {
    const res = await fetch(`${server.url}/api/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { code: string; message: string; requestId: string };
    expect(body.code).toBe('not_found');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('allows CORS with credentials for configured origins only', async () => {
    const allowed = await fetch(`${server.url}/api/health`, { headers: { Origin: HOST_ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(HOST_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${server.url}/api/health`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/api/health`, {
      method: 'OPTIONS',
      headers: { Origin: HOST_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-csrf-token' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-CSRF-Token/);
  });

  it('serves the built widget so another origin may load it', async () => {
    if (!existsSync('dist/widget/amavis-quarantine.js')) throw new Error('run `npm run build` first (npm test does)');
    const res = await fetch(`${server.url}/amavis-quarantine.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(await res.text()).toContain('amavis-quarantine');
  });

  describe('with amavisd stopped', () => {
    afterAll(() => stackCtl('start', 'amavisd'));

    it('says degraded for pdp only, with 503 and still no detail', async () => {
      await stackCtl('stop', 'amavisd');
      // A fresh server: the public answer is cached for a few seconds on purpose.
      const fresh = await startTestServer();
      try {
        const res = await fetch(`${fresh.url}/api/health`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ status: 'degraded', components: { db: 'ok', imap: 'ok', pdp: 'degraded' } });
      } finally {
        await fresh.close();
      }
    });
  });
});
