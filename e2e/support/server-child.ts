import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, serverEnv } from './stack';

/** server/index.ts running in a process of its own, as in production: its signals, its logs, its exit. */
export interface ServerChild {
  url: string;
  /** Everything it wrote so far (JSON log lines, and the demo's banner). */
  output(): string;
  /** Sends a signal (SIGTERM for a graceful shutdown). */
  signal(name: NodeJS.Signals): void;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** True until the process has exited. */
  alive(): boolean;
  /** Ends it (SIGKILL) if it still runs, and waits for that. */
  kill(): Promise<void>;
}

/** A free loopback port: index.ts listens on AQ_PORT, so the port is picked before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Starts `server/index.ts` from this tree in a child process: against the real stack with `overrides`,
 * or, with `demo: true`, with no AQ_* at all, which starts the self-contained demo.
 */
export async function startServerChild(options: { demo?: boolean; overrides?: Record<string, string>; startLimitMs?: number } = {}): Promise<ServerChild> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AQ_')));
  const port = await freePort();
  const env = { ...clean, ...(options.demo ? {} : serverEnv(options.overrides)), AQ_PORT: String(port), AQ_BIND: '127.0.0.1', AQ_LOG_LEVEL: 'info' };
  // node itself with tsx's loader, not tsx's CLI: the CLI runs the script in a grandchild, so a signal
  // sent to the child would not reach the server.
  const loader = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const child = spawn(process.execPath, ['--import', loader, path.join(ROOT, 'server/index.ts')], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  const deadline = Date.now() + (options.startLimitMs ?? 60_000);
  while (!output.includes('amavis-quarantine listening')) {
    if (!running || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server/index.ts did not start listening:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    signal: (name) => child.kill(name),
    exited,
    alive: () => running,
    async kill() {
      if (running) child.kill('SIGKILL');
      await exited;
    },
  };
}
