import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createContext } from '../../server/context';
import { createLogger } from '../../server/logger';
import { ROOT, serverEnv } from './stack';

/** A real server in a process of its own, so that a test can kill it (SIGKILL) the way a crash does. */
export interface ServerProcess {
  url: string;
  /** Kills the process without warning (SIGKILL) and waits until it is gone. */
  kill(): Promise<void>;
}

const READY = 'aq-server-process listening ';

/** Starts the app, built as index.ts builds it, in a child process listening on 127.0.0.1:0. */
export async function startServerProcess(overrides: Record<string, string> = {}): Promise<ServerProcess> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AQ_')));
  // node itself with tsx's loader, not tsx's CLI: the CLI runs the script in a grandchild, which a
  // SIGKILL of the child would leave running.
  const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child: ChildProcess = spawn(process.execPath, ['--import', loader, path.join(ROOT, 'e2e/support/server-process.ts')], {
    env: { ...clean, ...serverEnv(overrides), AQ_TEST_SERVER_PROCESS: '1' },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith(READY)) resolve(line.slice(READY.length).trim());
    });
    child.once('exit', (code) => reject(new Error(`the server process exited (${code}) before it listened`)));
  });
  return {
    url,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The child's side: the configuration comes from its environment, as in production. */
async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const context = createContext(config, createLogger('silent'));
  await context.ready();
  const app = createApp({ config, logger: createLogger('silent'), services: context });
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${READY}http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
}

if (process.env.AQ_TEST_SERVER_PROCESS === '1' && process.argv[1] && path.resolve(process.argv[1]) === path.join(ROOT, 'e2e/support/server-process.ts')) {
  void serve();
}
