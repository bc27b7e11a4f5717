import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { ROOT } from '../support/stack';

// From a fresh clone: `npm ci && npm start` with no configuration at all starts the demo; in Chromium
// a demo user signs in, releases a message, and it arrives in the demo IMAP INBOX.
//
// The first command is not run here: e2e/test.sh clones the repository and runs `npm ci` in the clone
// before the browser tests, outside any test's time limit (on a loaded machine npm ci alone takes
// minutes), and passes the clone in AQ_DEMO_CLONE. This file runs the second command and drives the demo.
const CLONE = process.env.AQ_DEMO_CLONE;
// `npm start` builds the widget, then starts the server: seconds on an idle machine, this on a loaded one.
const START_LIMIT_MS = 300_000;

/** Fails unless AQ_DEMO_CLONE is a clone of this repository's HEAD with its `npm ci` done. */
function preparedClone(): string {
  const byHand = `npm test prepares it; by hand: git clone -q ${ROOT} /tmp/aq-demo-clone && (cd /tmp/aq-demo-clone && npm ci) && AQ_DEMO_CLONE=/tmp/aq-demo-clone npx vitest run --project browser e2e/browser/demo.test.ts`;
  if (!CLONE || !existsSync(path.join(CLONE, 'node_modules/.package-lock.json'))) throw new Error(`AQ_DEMO_CLONE must name a fresh clone with npm ci done (${byHand})`);
  const head = (dir: string) => execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  if (head(CLONE) !== head(ROOT)) throw new Error(`AQ_DEMO_CLONE (${CLONE}) is at ${head(CLONE)}, not at this repository's HEAD ${head(ROOT)} (${byHand})`);
  return CLONE;
}

describe('the two-command demo, from a fresh clone', () => {
  let child: ChildProcess;
  let output = '';
  let browser: Browser;
  const port = 18_000 + Math.floor(Math.random() * 2_000);

  beforeAll(async () => {
    const dir = preparedClone();
    // No AQ_* at all: only PATH and HOME, as on a fresh machine (AQ_PORT only to avoid a busy port).
    child = spawn('npm', ['start'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', AQ_PORT: String(port) }, detached: true });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + START_LIMIT_MS;
    while (!/running in DEMO mode/.test(output)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not start the demo:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await launchChromium();
  }, START_LIMIT_MS + 60_000);

  afterAll(async () => {
    await browser?.close();
    if (child?.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
  });

  it('says plainly that it is a demo, and how to point it at a real amavis', () => {
    expect(output).toMatch(/running in DEMO mode/);
    expect(output).toMatch(/sign in as alice@demo\.example/);
    expect(output).toMatch(/set AQ_DB_URL, AQ_IMAP_HOST, AQ_PDP and AQ_SESSION_SECRET/);
  });

  it('signs in a demo user, releases a message, and it lands in the demo INBOX', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    const w = page.locator('amavis-quarantine');
    await w.locator('input[name="username"]').fill('alice');
    await w.locator('input[name="password"]').fill('demo');
    await w.locator('button[type="submit"]').click();
    const row = w.locator('[data-aq-item]', { hasText: 'Offer for the Q1 order' });
    await row.click();
    await w.locator('section.aq-message .aq-msg-subject', { hasText: 'Offer for the Q1 order' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'demo-message.png'), fullPage: true });
    await w.locator('section.aq-message [data-aq-action="release"]').click();
    await w.locator('[data-aq-status="success"]').waitFor();

    const imapPort = Number(/demo IMAP INBOX on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imapPort,
      secure: false,
      doSTARTTLS: false,
      auth: { user: 'alice@demo.example', pass: 'demo' },
      logger: false,
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        const found = await client.search({ header: { subject: 'Offer for the Q1 order' } }, { uid: true });
        expect(found || []).toHaveLength(1);
        const message = await client.fetchOne(String((found || [])[0]), { source: true }, { uid: true });
        expect(message && message.source?.toString()).toMatch(/^Resent-From: <alice@demo\.example>/m);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    await page.close();
  });
});
