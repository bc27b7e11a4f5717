import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createContext, type AppContext } from '../../server/context';
import { createLogger } from '../../server/logger';
import { serverEnv } from './stack';

/** A real server (real clients, pointed at the real stack) listening on an ephemeral loopback port. */
export interface TestServer {
  url: string;
  context: AppContext;
  close(): Promise<void>;
}

/** Builds the app exactly as index.ts does and listens on 127.0.0.1:0. */
export async function startTestServer(overrides: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig(serverEnv(overrides));
  const context = createContext(config, createLogger('silent'));
  let server: Server;
  try {
    await context.ready();
    const app = createApp({ config, logger: createLogger('silent'), services: context });
    server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s)).once('error', reject);
    });
  } catch (err) {
    // The test files share one worker (isolate: false): a half-started server's pools and timers must not outlive its file.
    await context.close().catch(() => undefined);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    context,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await context.close();
    },
  };
}
