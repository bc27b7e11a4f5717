// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchResponse } from '../../shared/release';
import type { SessionResponse } from '../../shared/session';
import { ApiError, createApiClient, queryString } from './client';

const SESSION: SessionResponse = {
  user: { email: 'alice@example.test', role: 'user', addresses: ['alice@example.test'], domains: [] },
  capabilities: { decideRequests: false, readAudit: false, seesOthersMail: false },
  csrfToken: 'csrf-1',
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

describe('the api client', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  const onUnauthorized = vi.fn();
  const client = () => createApiClient('https://mail.example.org/api/', onUnauthorized);
  const sent = (call = 0) => {
    const [url, init] = fetchMock.mock.calls[call] as [string, RequestInit];
    return { url, init, headers: init.headers as Record<string, string> };
  };

  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    onUnauthorized.mockReset();
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends cookies, asks for JSON, and strips the base URL of trailing slashes', async () => {
    fetchMock.mockResolvedValue(json(200, SESSION));
    await client().session();
    expect(sent().url).toBe('https://mail.example.org/api/session');
    expect(sent().init).toMatchObject({ method: 'GET', credentials: 'include' });
    expect(sent().headers).toEqual({ Accept: 'application/json' });
  });

  it('sends the CSRF token of the session on every write', async () => {
    fetchMock.mockResolvedValueOnce(json(200, SESSION)).mockResolvedValueOnce(json(200, { id: 'm1', status: 'deleted' }));
    const api = client();
    await api.signIn('alice', 'pw');
    expect(JSON.parse(sent(0).init.body as string)).toEqual({ username: 'alice', password: 'pw' });
    expect(await api.remove('a/b')).toEqual({ id: 'm1', status: 'deleted' });
    expect(sent(1).url).toBe('https://mail.example.org/api/messages/a%2Fb/delete');
    expect(sent(1).headers).toMatchObject({ 'X-CSRF-Token': 'csrf-1', 'Content-Type': 'application/json' });
  });

  it('builds the list query without empty values, repeating arrays', async () => {
    expect(queryString({ type: ['spam', 'virus'], q: '', since: undefined, limit: 50, count: true })).toBe('?type=spam&type=virus&limit=50&count=true');
    expect(queryString({ q: '' })).toBe('');
    fetchMock.mockResolvedValue(json(200, { items: [], nextCursor: null }));
    await client().list({ status: 'new', cursor: 'abc' });
    expect(sent().url).toBe('https://mail.example.org/api/messages?status=new&cursor=abc');
  });

  it('posts a batch and returns its typed per-id results', async () => {
    const body: BatchResponse = { results: [{ id: 'a', ok: true, status: 'deleted' }] };
    fetchMock.mockResolvedValue(json(200, body));
    expect(await client().batch('delete', ['a'])).toEqual(body);
    expect(JSON.parse(sent().init.body as string)).toEqual({ action: 'delete', ids: ['a'] });
  });

  it('turns an error answer into an ApiError with the server code, message and details', async () => {
    fetchMock.mockResolvedValue(json(502, { code: 'release_failed', message: 'amavisd refused', details: { reply: { code: 554, text: 'no' } } }));
    const err = await client()
      .release('m1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 502, code: 'release_failed', message: 'amavisd refused', details: { reply: { code: 554 } } });
  });

  it('reports an ended session on 401, except for the session calls themselves', async () => {
    fetchMock.mockResolvedValue(json(401, { code: 'session_expired', message: 'expired' }));
    await expect(client().message('m1')).rejects.toMatchObject({ code: 'session_expired' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(client().signIn('alice', 'wrong')).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('says when the server cannot be reached, and copes with a body that is not JSON', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValueOnce(new Response('<html>bad gateway', { status: 502 }));
    await expect(client().audit()).rejects.toMatchObject({ status: 0, code: 'network_error' });
    await expect(client().audit()).rejects.toMatchObject({ status: 502, code: 'internal', message: 'The server answered 502.' });
  });

  it('accepts a 503 health answer as the verdict it is', async () => {
    fetchMock.mockResolvedValue(json(503, { status: 'degraded' }));
    expect(await client().health()).toEqual({ status: 'degraded' });
  });
  it('reads a batch\u2019s progress line by line, even split across chunks, and returns every result', async () => {
    const results: BatchResponse['results'] = [
      { id: 'a', ok: true, status: 'released' },
      { id: 'b', ok: false, code: 'internal', message: 'something went wrong', httpStatus: 500 },
    ];
    const text = [
      { type: 'start', total: 2 },
      { type: 'result', done: 1, total: 2, result: results[1] },
      { type: 'result', done: 2, total: 2, result: results[0] },
      { type: 'end', results },
    ]
      .map((l) => `${JSON.stringify(l)}\n`)
      .join('');
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    fetchMock.mockResolvedValue(new Response(body, { status: 200, headers: { 'Content-Type': 'application/x-ndjson' } }));
    const seen: unknown[] = [];
    const answer = await client().batchWithProgress('release', ['a', 'b'], (p) => seen.push([p.done, p.total]));
    expect(sent().headers.Accept).toBe('application/x-ndjson, application/json');
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(answer).toEqual({ results });
  });

  it('takes a plain JSON answer to a batch too, and fails a progress cut before its end', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { results: [] }));
    expect(await client().batchWithProgress('delete', ['a'], () => undefined)).toEqual({ results: [] });
    fetchMock.mockResolvedValueOnce(new Response('{"type":"start","total":2}\n', { status: 200, headers: { 'Content-Type': 'application/x-ndjson' } }));
    await expect(client().batchWithProgress('delete', ['a', 'b'], () => undefined)).rejects.toMatchObject({ code: 'network_error' });
  });
});
