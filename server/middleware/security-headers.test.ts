import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { beforeAll, describe, expect, it } from 'vitest';
import { helmetHeaders, securityHeaders } from './security-headers';

/** The headers of a GET / on an app with `middleware`, minus those that change with every answer. */
async function headersOf(middleware: express.RequestHandler): Promise<Record<string, string | string[] | undefined>> {
  const app = express();
  app.use(middleware);
  app.get('/', (_req, res) => res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) =>
      http.get({ host: '127.0.0.1', port, path: '/' }, (res) => (res.resume(), resolve(res.headers))).once('error', reject),
    );
    const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
    return rest;
  } finally {
    server.close();
  }
}

describe('securityHeaders', () => {
  let ours: Awaited<ReturnType<typeof headersOf>>;
  let theirs: Awaited<ReturnType<typeof headersOf>>;
  beforeAll(async () => {
    [ours, theirs] = await Promise.all([headersOf(securityHeaders()), headersOf(helmet())]);
  });

  it('answers with exactly the headers helmet() sets, values included', () => {
    expect(ours).toEqual(theirs);
    expect(ours['content-security-policy']).toContain("default-src 'self'");
    expect(ours['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(ours['x-content-type-options']).toBe('nosniff');
    expect(ours['x-powered-by']).toBeUndefined();
  });

  it('refuses a CSP directive that depends on the request (a nonce), which one run cannot know', () => {
    const nonce = (_req: unknown, res: unknown) => `'nonce-${String((res as { locals?: { n?: string } }).locals?.n)}'`;
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", nonce] } } })).toThrow(/depends on the request/);
  });

  it('follows helmet options (a header turned off is not sent)', () => {
    const names = helmetHeaders({ strictTransportSecurity: false }).map(([name]) => name.toLowerCase());
    expect(names).not.toContain('strict-transport-security');
    expect(names).toContain('content-security-policy');
  });
});
