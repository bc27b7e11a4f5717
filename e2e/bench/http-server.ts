/**
 * The server under `npm run bench:http`: the real app (as server/index.ts builds it) on 127.0.0.1, against
 * the bench database, in the bench's own process, or with `--instances N` in N worker processes sharing
 * the port (node:cluster), as N instances of the server share a database in production. IMAP and AM.PDP
 * are never reached.
 */
import cluster, { type Worker } from 'node:cluster';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createContext, type AppContext } from '../../server/context';
import { createLogger } from '../../server/logger';

export interface BenchServerOptions {
  url: string;
  admin: { email: string; domain: string };
  superUser: string;
  sessionSecret: string;
}

export interface BenchServer {
  base: URL;
  /** The primary's context: its session store signs the bench's sessions in. */
  context: AppContext;
  /** The CPU time (µs, user + system) the server's processes have used so far. */
  cpuMicros(): Promise<number>;
  close(): Promise<void>;
}

const WORKER_ENV = 'AQ_BENCH_SERVER';

const envOf = (o: BenchServerOptions): Record<string, string> => ({
  AQ_DB_URL: o.url,
  AQ_IMAP_HOST: '127.0.0.1',
  AQ_PDP: 'tcp://127.0.0.1:9998',
  AQ_SESSION_SECRET: o.sessionSecret,
  AQ_SUPER_USERS: o.superUser,
  AQ_DOMAIN_ADMINS: `${o.admin.email}:${o.admin.domain}`,
});

async function listen(options: BenchServerOptions): Promise<{ context: AppContext; server: http.Server }> {
  const config = loadConfig(envOf(options));
  const context = createContext(config, createLogger('silent'));
  await context.ready();
  const app = createApp({ config, logger: createLogger('silent'), services: context });
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { context, server };
}

const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** Whether this process is a worker started by startBenchServer (it then serves until told to stop). */
export function isBenchWorker(): boolean {
  return cluster.isWorker && Boolean(process.env[WORKER_ENV]);
}

/** A worker's life: listen, answer the primary's CPU questions, stop when told. */
export async function runBenchWorker(): Promise<void> {
  const { server, context } = await listen(JSON.parse(process.env[WORKER_ENV] ?? '{}') as BenchServerOptions);
  process.on('message', (message: { ask: string }) => {
    if (message.ask === 'cpu') process.send?.({ cpu: cpuNow() });
    if (message.ask === 'stop') server.close(() => void context.close().finally(() => process.exit(0)));
  });
  process.send?.({ listening: (server.address() as AddressInfo).port });
}

function ask<T>(worker: Worker, question: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (message: Record<string, T>) => {
      if (!(key in message)) return;
      worker.off('message', on);
      resolve(message[key] as T);
    };
    worker.on('message', on);
    worker.send({ ask: question });
  });
}

export async function startBenchServer(options: BenchServerOptions, instances: number): Promise<BenchServer> {
  if (instances <= 1) {
    const { context, server } = await listen(options);
    const { port } = server.address() as AddressInfo;
    return {
      base: new URL(`http://127.0.0.1:${port}`),
      context,
      cpuMicros: () => Promise.resolve(cpuNow()),
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await context.close();
      },
    };
  }
  // The primary only signs the bench's sessions in: the list indexer runs in the servers, as in production,
  // so that its CPU is counted with theirs.
  const context = createContext(loadConfig({ ...envOf(options), AQ_LIST_INDEX_INTERVAL_MS: '0' }), createLogger('silent'));
  await context.ready();
  const workers = Array.from({ length: instances }, () => cluster.fork({ [WORKER_ENV]: JSON.stringify(options) }));
  // Workers that listen on port 0 share the one port the primary picks for the first of them.
  const ports = await Promise.all(workers.map((w) => ask<number>(w, 'none', 'listening')));
  return {
    base: new URL(`http://127.0.0.1:${ports[0]}`),
    context,
    cpuMicros: async () => (await Promise.all(workers.map((w) => ask<number>(w, 'cpu', 'cpu')))).reduce((a, b) => a + b, 0),
    close: async () => {
      await Promise.all(workers.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.send({ ask: 'stop' })))));
      await context.close();
    },
  };
}
