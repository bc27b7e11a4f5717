/**
 * The load generator of `npm run bench:http`, in a process of its own so that the server under test has
 * its event loop to itself: `tsx e2e/bench/http-client.ts '<json>'` with {base, path, seconds, cookies, client}.
 * Each cookie is one connection (its own session, on its own keep-alive socket) that sends its next
 * request when the last is answered, until the time is up; the first `warmup` seconds are not timed.
 * Prints one JSON line: latencies (ms), statuses, elapsed (s), this process's CPU time per timed request
 * (µs), and how many requests the warm-up made.
 *
 * Two clients: `raw` (the default) writes a prepared request on a plain TCP socket and reads the answer by
 * its Content-Length; `node` uses node:http's client. On two cores shared with the server and the
 * database, node:http's client costs about as much CPU per request as the server's own HTTP handling, so
 * it lowers what the server can show; `--client node` keeps the earlier figures comparable.
 */
import http from 'node:http';
import net from 'node:net';

interface Job {
  base: string;
  path: string;
  seconds: number;
  cookies: string[];
  client?: 'raw' | 'node';
  /** Seconds of full load before the timing starts (not counted). */
  warmup?: number;
}

type Send = () => Promise<number | string>;

/** One GET on a keep-alive agent of one socket: its status (or the error's code) once the body is read. */
function nodeConnection(base: URL, path: string, cookie: string): { send: Send; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send: Send = () =>
    new Promise((resolve) => {
      const req = http.get({ agent, host: base.hostname, port: base.port, path, headers: { cookie, accept: 'application/json' } }, (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 'no status'));
        res.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.name));
      });
      req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.name));
    });
  return { send, close: () => agent.destroy() };
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive socket that sends a prepared GET and reads each answer by its Content-Length (the API
 * always sends one). A chunked or unreadable answer ends the run of this connection with an error status.
 */
function rawConnection(base: URL, path: string, cookie: string): { send: Send; close(): void } {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${base.host}\r\nCookie: ${cookie}\r\nAccept: application/json\r\nConnection: keep-alive\r\n\r\n`);
  let socket: net.Socket | undefined;
  let pending: ((status: number | string) => void) | undefined;
  let buffered: Buffer = Buffer.alloc(0);
  let need = -1;
  let status = 0;

  const settle = (result: number | string) => {
    const done = pending;
    pending = undefined;
    buffered = Buffer.alloc(0);
    need = -1;
    done?.(result);
  };

  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    if (need < 0) {
      const end = buffered.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!length) {
        socket?.destroy();
        socket = undefined;
        settle('no content-length');
        return;
      }
      need = end + HEADER_END.length + Number(length[1]);
    }
    if (buffered.length >= need) settle(status);
  };

  const open = () => {
    const s = net.connect({ host: base.hostname, port: Number(base.port), noDelay: true });
    s.on('data', onData);
    s.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.name));
    s.on('close', () => {
      if (socket === s) socket = undefined;
      settle('closed');
    });
    return s;
  };

  const send: Send = () =>
    new Promise((resolve) => {
      pending = resolve;
      socket ??= open();
      socket.write(request);
    });
  return { send, close: () => socket?.destroy() };
}

async function main(job: Job): Promise<void> {
  const base = new URL(job.base);
  const connect = job.client === 'node' ? nodeConnection : rawConnection;
  const connections = job.cookies.map((cookie) => connect(base, job.path, cookie));
  // One unmeasured request per connection: opens the sockets and the session rows' first reads.
  await Promise.all(connections.map((c) => c.send()));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let warmed = 0;
  // Full load from the start, timed only after the warm-up: the server's first moments under concurrency
  // (code paths the single request above did not take, compiled as they run) are not its steady state.
  const warmUntil = performance.now() + (job.warmup ?? 0) * 1000;
  const deadline = warmUntil + job.seconds * 1000;
  let cpuBefore: NodeJS.CpuUsage | undefined;
  let started = NaN;
  await Promise.all(
    connections.map(async (c) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await c.send();
        if (sent < warmUntil) {
          warmed++;
          continue;
        }
        if (!cpuBefore) {
          cpuBefore = process.cpuUsage();
          started = sent;
        }
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  connections.forEach((c) => c.close());
  const clientCpuMicros = (cpu.user + cpu.system) / Math.max(1, latencies.length);
  process.stdout.write(`${JSON.stringify({ latencies, statuses, elapsed, clientCpuMicros, warmed })}\n`);
}

main(JSON.parse(process.argv[2] ?? '{}') as Job).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
