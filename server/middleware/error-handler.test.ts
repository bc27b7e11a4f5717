import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { errorHandler } from './error-handler';

// Express 5's router decodes path parameters itself and throws a URIError on a malformed %-escape.
describe('errorHandler', () => {
  let base = '';
  let close: () => void = () => undefined;
  beforeAll(async () => {
    const app = express();
    app.get('/api/messages/:id', (req, res) => void res.json({ id: req.params.id }));
    app.use(errorHandler(createLogger('silent')));
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it('answers a malformed %-escape in the path with 400 bad_request, not 500', async () => {
    const res = await fetch(`${base}/api/messages/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('bad_request');
    expect((await fetch(`${base}/api/messages/%E0%A4%A4`)).status).toBe(200);
  });
});
