import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdpClient } from '../../server/clients/amavis-pdp';
import { healthRoutes } from '../../server/routes/health';
import { createHealthService } from '../../server/services/health';
import { startTestServer, type TestServer } from '../support/server';
import { stackCtl } from '../support/stack';

const HOST_ORIGIN = 'http://127.0.0.1:5999';

/** A peer that accepts connections and then says nothing: it hangs every AM.PDP request sent to it. */
async function startSilentPeer(events: string[]) {
  const sockets = new Set<net.Socket>();
  let hangUp = false;
  const server = net.createServer((socket) => {
    if (hangUp) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    events.push('peer: connection accepted');
    socket.on('close', () => events.push('peer: connection closed'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** true: drop each connection at once (a quick failure); false: hold it and never answer. */
    setHangUp: (value: boolean) => (hangUp = value),
    connections: () => sockets.size,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

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

  it('is live and ready, with no detail either', async () => {
    const live = await fetch(`${server.url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(live.headers.get('cache-control')).toBe('no-store');
    expect(await live.json()).toEqual({ status: 'live' });
    const ready = await fetch(`${server.url}/api/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'ready', components: { db: 'ok', imap: 'ok' } });
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

    it('says degraded for pdp only, with 503 and still no detail, while the instance stays live and ready', async () => {
      await stackCtl('stop', 'amavisd');
      // A fresh server: the public answer is cached for a few seconds on purpose.
      const fresh = await startTestServer();
      try {
        const res = await fetch(`${fresh.url}/api/health`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ status: 'degraded', components: { db: 'ok', imap: 'ok', pdp: 'degraded' } });
        // Releases fail without amavisd, but sign-in and listing do not: a load balancer keeps the instance.
        const ready = await fetch(`${fresh.url}/api/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({ status: 'ready', components: { db: 'ok', imap: 'ok' } });
        expect((await fetch(`${fresh.url}/api/health/live`)).status).toBe(200);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('with AM.PDP stalled (accepting connections, never answering)', () => {
    const events: string[] = [];
    let peer: Awaited<ReturnType<typeof startSilentPeer>>;
    let stalled: TestServer;
    beforeAll(async () => {
      peer = await startSilentPeer(events);
      // The client would wait for a reply far longer than any test runs: only the health time limit ends the wait.
      stalled = await startTestServer({ AQ_PDP: `tcp://127.0.0.1:${peer.port}`, AQ_PDP_TIMEOUT_MS: '600000' });
    });
    afterAll(async () => {
      await stalled?.close();
      await peer?.close();
    });

    it('stays ready without ever asking AM.PDP, and live', async () => {
      const ready = await fetch(`${stalled.url}/api/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', components: { db: 'ok', imap: 'ok' } });
      expect((await fetch(`${stalled.url}/api/health/live`)).status).toBe(200);
      expect(events).toEqual([]);
    });

    it('answers /api/health within its time limit, before the stalled check ends, and from the cache after that', async () => {
      const first = await fetch(`${stalled.url}/api/health`);
      events.push('health: answered');
      expect(first.status).toBe(503);
      expect(await first.json()).toEqual({ status: 'degraded', components: { db: 'ok', imap: 'ok', pdp: 'degraded' } });
      const again = await fetch(`${stalled.url}/api/health`);
      events.push('health: answered');
      expect(again.status).toBe(503);
      // The check's connection is still open and unanswered: both answers came before it could end, and
      // the second probe did not open another one.
      expect(events).toEqual(['peer: connection accepted', 'health: answered', 'health: answered']);
      expect(peer.connections()).toBe(1);
    });
  });

  describe('when a cached report is stale and its peer stalls', () => {
    const events: string[] = [];
    let peer: Awaited<ReturnType<typeof startSilentPeer>>;
    let close: () => Promise<void>;
    let url: string;
    beforeAll(async () => {
      peer = await startSilentPeer(events);
      peer.setHangUp(true);
      // The real database and IMAP server; AM.PDP at the silent peer. Every report is stale at once
      // (cacheMs 0), so each probe starts a refresh in the background.
      const { context } = server;
      const health = createHealthService({
        sequelize: context.sequelize,
        dbTarget: 'test',
        imap: context.imap,
        pdps: [createPdpClient({ endpoint: { kind: 'tcp', host: '127.0.0.1', port: peer.port }, replyTimeoutMs: 600_000 })],
        cacheMs: 0,
      });
      const app = express().use('/api', healthRoutes(health));
      const listening = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => listening.once('listening', resolve));
      url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
      close = () => new Promise((resolve) => listening.close(() => resolve()));
    });
    afterAll(async () => {
      await close?.();
      await peer?.close();
    });

    it('answers from the last report while the refresh hangs, and starts no second refresh', async () => {
      // First report: the peer hangs up at once, so AM.PDP is degraded and the report is cached.
      const first = await fetch(`${url}/api/health`);
      expect(((await first.json()) as { components: { pdp: string } }).components.pdp).toBe('degraded');

      peer.setHangUp(false);
      const answers = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${url}/api/health`);
        answers.push(((await res.json()) as { components: { pdp: string } }).components.pdp);
        events.push('health: answered');
      }
      expect(answers).toEqual(['degraded', 'degraded', 'degraded']);
      // The refresh the second probe started reaches the silent peer and hangs there; the probes never waited for it.
      await expect.poll(() => events.filter((e) => e.startsWith('peer')).length, { timeout: 10_000 }).toBe(1);
      expect(events).not.toContain('peer: connection closed');
      expect(peer.connections()).toBe(1);
    });
  });
});
