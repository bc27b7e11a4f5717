import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listIndexDdl } from '../amavis/list-index-ddl';
import { createSequelize } from '../db/connect';
import { demoPageHtml } from './host-page';
import { DEMO_USERS, startDemoImap } from './imap-server';
import { startDemoPdp } from './pdp-responder';
import { DEMO_SCHEMA } from './schema';
import { seedDemo } from './seed';

/** A running demo: the AQ_* settings that point the server at it, its page, and how to stop it. */
export interface Demo {
  env: Record<string, string>;
  page: string;
  banner(url: string): string;
  close(): Promise<void>;
}

/**
 * Starts the demo: an SQLite amavis database seeded from the shipped MIME samples, a real IMAP server
 * with demo accounts (hoodiecrow-imap), and an AM.PDP responder that releases into its INBOX. Used only
 * when AQ_DB_URL is unset; nothing here ever runs against a real amavis.
 */
export async function startDemo(): Promise<Demo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'amavis-quarantine-demo-'));
  const dbFile = path.join(dir, 'amavis.sqlite');
  const db = createSequelize(`sqlite:${dbFile}`);
  for (const statement of DEMO_SCHEMA) await db.query(statement);
  const seeded = await seedDemo(db, path.join(import.meta.dirname, 'samples'));
  // The list index, as `npm run migrate` installs it: the server's indexer builds it on its first turn.
  for (const statement of listIndexDdl('sqlite')) await db.query(statement);
  const imap = await startDemoImap();
  const pdp = await startDemoPdp(db, (raw) => imap.deliver(raw));
  return {
    env: {
      AQ_DB_URL: `sqlite:${dbFile}`,
      AQ_IMAP_HOST: '127.0.0.1',
      AQ_IMAP_PORT: String(imap.port),
      // Plain IMAP is fine here: the demo server listens on loopback only.
      AQ_IMAP_TLS: 'none',
      AQ_PDP: `tcp://127.0.0.1:${pdp.port}`,
      // One release at a time: SQLite has no row locks, and two release transactions that read and then
      // write the same file make the later one fail with SQLITE_BUSY (no busy wait helps a reader turning
      // writer). The responder answers in milliseconds, so "select all, Release" stays quick.
      AQ_PDP_MAX_CONCURRENT: '1',
      AQ_SESSION_SECRET: randomBytes(32).toString('hex'),
      AQ_DEFAULT_DOMAIN: 'demo.example',
      AQ_SUPER_USERS: 'postmaster@demo.example',
      AQ_DOMAIN_ADMINS: 'admin@demo.example:demo.example',
    },
    page: demoPageHtml(),
    banner: (url) =>
      [
        '',
        '  amavis-quarantine is running in DEMO mode, with made-up mail and no real mail server.',
        `  Open ${url}/ and sign in as ${Object.keys(DEMO_USERS).join(', ')} (password: demo).`,
        `  ${seeded} quarantined demo messages; released mail goes to the demo IMAP INBOX on 127.0.0.1:${imap.port}.`,
        '',
        '  To use your own amavis instead, set AQ_DB_URL, AQ_IMAP_HOST, AQ_PDP and AQ_SESSION_SECRET',
        '  (see README.md, "Configuration"), and check the setup with `npm run doctor`.',
        '',
      ].join('\n'),
    async close() {
      await Promise.all([imap.close(), pdp.close()]);
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
