/**
 * `npm run bench:load`: one heavy user's concurrent listings, releases at the same time, and another
 * user's listings, against a server on loopback pointed at the real stack. It prints requests per
 * second, p50/p99 latency and the answers by status for each kind, and the machine's load; it always
 * exits 0, since no test asserts on wall-clock time. Bounded in time (--seconds, at most 120) and in
 * count (--max-requests).
 *
 *   npm run bench:load -- --seconds 20 --heavy 50 --releases 12
 *
 * The server runs in this process (so its event loop is shared with the load generator): the figures
 * are for comparing builds on one machine, not a capacity claim.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ROLE_ENV, signedIn, USERS, type ApiSession } from '../support/api-client';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer } from '../support/server';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    heavy: { type: 'string', default: '50' },
    releases: { type: 'string', default: '12' },
    'max-requests': { type: 'string', default: '50000' },
  },
});
const seconds = Math.min(120, Math.max(1, Number(values.seconds)));
const heavyWorkers = Math.min(200, Math.max(1, Number(values.heavy)));
const releaseCount = Math.min(50, Math.max(0, Number(values.releases)));
const maxRequests = Math.max(1, Number(values['max-requests']));

interface Tally {
  latencies: number[];
  statuses: Map<number | string, number>;
}
const tallies = new Map<string, Tally>();
let sent = 0;

async function timed(kind: string, call: () => Promise<Response>): Promise<void> {
  const tally: Tally = tallies.get(kind) ?? { latencies: [], statuses: new Map<number | string, number>() };
  tallies.set(kind, tally);
  sent++;
  const start = performance.now();
  let status: number | string;
  try {
    const res = await call();
    await res.arrayBuffer();
    status = res.status;
  } catch (err) {
    status = (err as Error).name;
  }
  tally.latencies.push(performance.now() - start);
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const server = await startTestServer(ROLE_ENV);
  try {
    const [heavy, alice, bob] = await Promise.all([
      signedIn(server.url, USERS.admin.email, USERS.admin.password),
      signedIn(server.url, USERS.alice.email, USERS.alice.password),
      signedIn(server.url, USERS.bob.email, USERS.bob.password),
    ]);
    console.log(`preparing ${releaseCount} quarantined mails through amavisd…`);
    const ids: string[] = [];
    while (ids.length < releaseCount) {
      const batch = Math.min(4, releaseCount - ids.length);
      const mails = await Promise.all(Array.from({ length: batch }, () => sendThroughAmavis(server.context, { to: [USERS.alice.email], subject: 'bench:load release' })));
      ids.push(...mails.map((m) => m[USERS.alice.email]!));
    }

    const loadBefore = os.loadavg();
    const deadline = performance.now() + seconds * 1000;
    const more = () => performance.now() < deadline && sent < maxRequests;
    const loop = async (kind: string, session: ApiSession, path: string) => {
      while (more()) await timed(kind, () => session.get(path));
    };
    const started = performance.now();
    await Promise.all([
      ...Array.from({ length: heavyWorkers }, () => loop('heavy user: list type=banned', heavy, '/messages?type=banned&count=true&limit=100')),
      loop('other user: list', bob, '/messages'),
      ...ids.map((id) => timed('release', () => alice.request('POST', `/messages/${id}/release`, {}))),
    ]);
    const elapsed = (performance.now() - started) / 1000;

    console.log(`\n${sent} requests in ${elapsed.toFixed(1)} s (${heavyWorkers} heavy workers, ${ids.length} releases), loopback`);
    for (const [kind, tally] of tallies) {
      const sorted = [...tally.latencies].sort((a, b) => a - b);
      const statuses = [...tally.statuses].map(([s, n]) => `${s}×${n}`).join(' ');
      const errors = [...tally.statuses].filter(([s]) => typeof s !== 'number' || s >= 500).reduce((n, [, c]) => n + c, 0);
      console.log(
        `${kind.padEnd(30)} ${(sorted.length / elapsed).toFixed(1).padStart(7)} req/s  p50 ${percentile(sorted, 50).toFixed(0).padStart(6)} ms  p99 ${percentile(sorted, 99).toFixed(0).padStart(6)} ms  5xx/errors ${errors}  [${statuses}]`,
      );
    }
    const fmt = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
    console.log(`\nload average (1/5/15 min): before ${fmt(loadBefore)}, after ${fmt(os.loadavg())}; ${os.cpus().length} CPUs`);
  } finally {
    await server.close();
  }
}

await main();
