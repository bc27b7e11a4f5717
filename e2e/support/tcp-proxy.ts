import net, { type AddressInfo } from 'node:net';

/**
 * A TCP proxy the tests control, between the server and a peer (MariaDB or PostgreSQL). It produces the faults a
 * real peer cannot produce on demand: every connection cut at once (a failover, a proxy restart), and
 * a stall (a network that stops carrying bytes without closing anything).
 */
export interface TcpProxy {
  /** The loopback port the proxy listens on. */
  port: number;
  /** Resets every open connection now, in both directions (new ones are accepted as before). */
  cut(): void;
  /** Stops forwarding: bytes in either direction are held, and new connections are accepted but get nothing. */
  stall(): void;
  /** Forwards again, first what the stall held, in order. */
  resume(): void;
  /** Resolves when the stall next holds bytes a client sent: a statement (or a login) is in flight. */
  nextHeldFromClient(): Promise<void>;
  /**
   * From now on, the server's first answer after the client sent a message's data (over 3000 bytes in a row:
   * STARTTLS hides the SMTP/LMTP words, not the sizes) is dropped and the connection reset (`reset`: a reply
   * lost in transit, the mail already taken), or held for ever (`hold`: the client waits, e.g. until killed).
   */
  dropReplyAfterData(mode?: 'reset' | 'hold'): void;
  /**
   * From now on, holds the peer's answer on the first connection where it carries `marker` (and whatever
   * that connection answers after it) until resume(); resolves once it holds one. Other connections go on. The statement has then
   * run in the database, and the server is still waiting for its answer.
   */
  holdAnswerWith(marker: Buffer): Promise<void>;
  /** The connections open now. */
  connections(): number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  held: Array<{ to: net.Socket; data: Buffer }>;
  /** Answers are held on this connection (holdAnswerWith) until resume(). */
  holding?: boolean;
  /** The end of its last answer chunk, so that a marker split across two chunks is still seen. */
  tail?: Buffer;
}

/** Starts a proxy on 127.0.0.1:0 that forwards to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let stalled = false;
  let dropAfterData: 'reset' | 'hold' | undefined;
  let waiting: Array<() => void> = [];
  let answerMarker: { marker: Buffer; found: () => void } | undefined;

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    let uploaded = 0;
    const relay = (to: net.Socket, fromClient: boolean) => (data: Buffer) => {
      if (fromClient) uploaded += data.length;
      if (dropAfterData && !fromClient && uploaded > 3000) {
        if (dropAfterData === 'reset') for (const socket of [client, upstream]) socket.resetAndDestroy();
        return;
      }
      if (!fromClient) uploaded = 0;
      if (!fromClient && answerMarker && !pair.holding) {
        const seen = Buffer.concat([pair.tail ?? Buffer.alloc(0), data]);
        pair.tail = seen.subarray(Math.max(0, seen.length - answerMarker.marker.length));
        if (seen.includes(answerMarker.marker)) {
          // That connection only: the others go on answering, marker or not.
          pair.holding = true;
          answerMarker.found();
          answerMarker = undefined;
        }
      }
      if (!fromClient && pair.holding) {
        pair.held.push({ to, data });
        return;
      }
      if (!stalled) {
        to.write(data);
        return;
      }
      pair.held.push({ to, data });
      if (fromClient) {
        const resolve = waiting;
        waiting = [];
        for (const r of resolve) r();
      }
    };
    client.on('data', relay(upstream, true));
    upstream.on('data', relay(client, false));
    // A clean close is passed on as one; a reset or an error ends both sides.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      for (const pair of [...pairs]) {
        pairs.delete(pair);
        pair.held = [];
        // RST rather than FIN, on both sides: what a failover or a dead middlebox looks like.
        for (const socket of [pair.client, pair.upstream]) {
          try {
            socket.resetAndDestroy();
          } catch {
            socket.destroy();
          }
        }
      }
    },
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      answerMarker = undefined;
      for (const pair of pairs) {
        pair.holding = false;
        pair.tail = undefined;
        for (const { to, data } of pair.held) if (!to.destroyed) to.write(data);
        pair.held = [];
      }
    },
    nextHeldFromClient: () => new Promise<void>((resolve) => waiting.push(resolve)),
    holdAnswerWith: (marker) =>
      new Promise<void>((resolve) => {
        answerMarker = { marker, found: resolve };
      }),
    dropReplyAfterData(mode = 'reset') {
      dropAfterData = mode;
    },
    connections: () => pairs.size,
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same database URL, with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(proxy.port);
  return u.toString();
}

/** Where a database URL points (for the proxy's target), with the dialect's default port when it names none. */
export function targetOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || (/^postgres(ql)?:$/.test(u.protocol) ? 5432 : 3306)) };
}
