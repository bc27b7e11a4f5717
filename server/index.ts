import { existsSync } from 'node:fs';
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

  const app = createApp({ config, logger, services: context, demoPage: demo?.page });
  const server = app.listen(config.port, config.bind, () => {
    logger.info({ url: `http://${config.bind}:${config.port}`, demo: Boolean(demo) }, 'amavis-quarantine listening');
    if (demo) console.log(demo.banner(`http://${config.bind}:${config.port}`));
  });
  server.on('error', (err) => {
    logger.fatal({ err }, 'cannot listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      void Promise.all([context.close(), demo?.close()]).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
