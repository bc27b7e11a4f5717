import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

/** The demo accounts, documented in README. All share one INBOX (hoodiecrow has a single mailbox). */
export const DEMO_USERS = {
  'alice@demo.example': 'demo',
  'bob@demo.example': 'demo',
  'admin@demo.example': 'demo',
  'postmaster@demo.example': 'demo',
} as const;

interface Hoodiecrow {
  listen(port: number, host: string, cb: () => void): void;
  server: { address(): AddressInfo };
  close(cb: () => void): void;
  appendMessage(mailbox: string, flags: string[], internaldate: string | undefined, raw: string): void;
}

/**
 * A real IMAP server process for the demo (hoodiecrow-imap, in memory), so that demo sign-in takes the
 * production path: imapflow, LOGIN, LOGOUT.
 */
export async function startDemoImap(): Promise<{ port: number; deliver(raw: Buffer): void; close(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const hoodiecrow = require('hoodiecrow-imap') as (options: unknown) => Hoodiecrow;
  const server = hoodiecrow({
    users: Object.fromEntries(Object.entries(DEMO_USERS).map(([user, password]) => [user, { password }])),
    plugins: ['ID', 'IDLE', 'NAMESPACE', 'SPECIAL-USE', 'UNSELECT', 'ENABLE', 'LITERALPLUS'],
    storage: { INBOX: { messages: [] }, '': { separator: '/', folders: {} } },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    deliver: (raw) => server.appendMessage('INBOX', [], undefined, raw.toString('binary')),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
