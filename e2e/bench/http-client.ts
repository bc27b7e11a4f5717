/**
 * The load generator of `npm run bench:http`, in a process of its own so that the server under test has
 * its event loop to itself: `tsx e2e/bench/http-client.ts '<json>'` with {base, path, seconds, cookies}.
 * Each cookie is one connection (its own session, on its own keep-alive socket) that sends its next
 * request when the last is answered, until the time is up. Prints one JSON line: latencies (ms),
 * statuses, elapsed (s).
 */
import http from 'node:http';

interface Job {
  base: string;
  path: string;
  seconds: number;
  cookies: string[];
}

/** One GET on a keep-alive agent of one socket: its status (or the error's code) once the body is read. */
function get(agent: http.Agent, base: URL, path: string, cookie: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ agent, host: base.hostname, port: base.port, path, headers: { cookie, accept: 'application/json' } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 'no status'));
      res.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.name));
    });
    req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.name));
  });
}

async function main(job: Job): Promise<void> {
  const base = new URL(job.base);
  const agents = job.cookies.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  // One unmeasured request per connection: opens the sockets and the session rows' first reads.
  await Promise.all(job.cookies.map((cookie, i) => get(agents[i] as http.Agent, base, job.path, cookie)));
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  await Promise.all(
    job.cookies.map(async (cookie, i) => {
      while (performance.now() < deadline) {
        const sent = performance.now();
        const status = await get(agents[i] as http.Agent, base, job.path, cookie);
        latencies.push(performance.now() - sent);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agents.forEach((a) => a.destroy());
  process.stdout.write(`${JSON.stringify({ latencies, statuses, elapsed })}\n`);
}

main(JSON.parse(process.argv[2] ?? '{}') as Job).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
