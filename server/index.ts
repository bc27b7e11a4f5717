import { existsSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { ApiErrorBody } from '../shared/errors';
import { createApp } from './app';
import { ConfigError, loadConfig, wantsDemo } from './config';
import type { Demo } from './demo/demo';
import { createContext } from './context';
import { createLogger } from './logger';

/** Starts the server: config, clients, listen, and a graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  let demo: Demo | undefined;
  if (wantsDemo()) {
    // Loaded only in demo mode: none of the demo code runs once AQ_DB_URL is set.
    const { startDemo } = await import('./demo/demo');
    demo = await startDemo();
  }
  try {
    config = loadConfig(undefined, demo?.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\n\nSee README.md ("Configuration") for every AQ_* setting.`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const context = createContext(config, logger);
  try {
    await context.ready();
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'cannot prepare our tables in AQ_APP_DB_URL (run `npm run doctor` for the details)');
    process.exit(1);
  }
  if (!existsSync(config.widgetFile)) logger.warn({ widgetFile: config.widgetFile }, 'the widget is not built: run `npm run build`');

  const shutdown = new AbortController();
  const app = createApp({ config, logger, services: context, demoPage: demo?.page, shutdown: shutdown.signal });
  // The requests in progress, so that a shutdown knows what it waits for and can say so.
  const inProgress = new Set<ServerResponse>();
  let drained: (() => void) | undefined;
  const server = createServer((req, res) => {
    if (shutdown.signal.aborted) return refuse(res);
    inProgress.add(res);
    res.on('close', () => {
      inProgress.delete(res);
      if (inProgress.size === 0) drained?.();
    });
    void app(req, res);
  });
  server.listen(config.port, config.bind, () => {
    logger.info({ url: `http://${config.bind}:${config.port}`, demo: Boolean(demo) }, 'amavis-quarantine listening');
    if (demo) console.log(demo.banner(`http://${config.bind}:${config.port}`));
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'cannot listen');
    process.exit(1);
  });
  if (demo) {
    // The demo is for trying things out: an error is logged, and the demo goes on.
    process.on('unhandledRejection', (err) => logger.error({ err }, 'demo: unhandled error; the demo keeps running'));
  }

  // A release in progress may wait for its AM.PDP turn (at most 10 s, as context.ts bounds it) and then
  // for amavisd's answer (AQ_PDP_TIMEOUT_MS). Cutting it in the middle leaves a mail sent but not marked
  // released, so the shutdown waits that long, and a little more for the database writes after it.
  const graceMs = Math.min(config.pdpTimeoutMs, 10_000) + config.pdpTimeoutMs + 5_000;
  const describe = () => [...inProgress].map((res) => `${res.req.method} ${(res.req.url ?? '').split('?')[0]}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // From here on: no new connection, and a request on a kept-alive one is answered 503 busy; a running
    // batch starts no further id. Requests already in progress (releases among them) finish.
    shutdown.abort();
    server.close();
    server.closeIdleConnections();
    const started = Date.now();
    logger.info({ signal, inProgress: describe(), graceMs }, 'shutting down: refusing new requests, waiting for those in progress');
    setTimeout(() => {
      logger.error({ stillInProgress: describe(), graceMs }, 'shutdown: requests still in progress after the grace period; exiting anyway');
      process.exit(1);
    }, graceMs).unref();
    if (inProgress.size > 0) await new Promise<void>((resolve) => (drained = resolve));
    logger.info({ waitedMs: Date.now() - started }, 'shutdown: every request in progress has finished');
    server.closeAllConnections();
    await Promise.all([context.close(), demo?.close()]).catch((err: unknown) => logger.warn({ err }, 'shutdown: closing the connections failed'));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Answers a request that arrives during the shutdown: 503 busy, come back soon (to another instance). */
function refuse(res: ServerResponse): void {
  const body: ApiErrorBody = { code: 'busy', message: 'the server is restarting; try again in a few seconds' };
  res.writeHead(503, { 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': '5', Connection: 'close' });
  res.end(JSON.stringify(body));
}

void main();
