import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { ROOT } from '../support/stack';

const run = promisify(execFile);
const ROUNDCUBE_PORT = process.env.ROUNDCUBE_PORT ?? '10088';
const ROUNDCUBE = `http://127.0.0.1:${ROUNDCUBE_PORT}`;

// The widget inside a real Roundcube 1.6 (e2e/stack/roundcube.sh) reads as one of its tasks: no title
// and no Sign out of its own (Roundcube has both), dates in the user's Roundcube time zone and formats,
// and the list with a preview pane beside Roundcube's own mail view, kept as screenshots.
describe('the quarantine inside Roundcube looks and reads like Roundcube', () => {
  let api: TestServer;
  let browser: Browser;
  const subject = `Roundcube layout ${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    const secret = randomBytes(32).toString('hex');
    api = await startTestServer({ ...ROLE_ENV, AQ_SSO_SECRET: secret, AQ_ALLOWED_ORIGINS: ROUNDCUBE });
    await run('bash', [path.join(ROOT, 'e2e/stack/roundcube.sh'), 'up'], {
      env: { ...process.env, AMAVIS_QUARANTINE_URL: api.url, AQ_SSO_SECRET: secret, ROUNDCUBE_PORT },
      timeout: 280_000,
    });
    for (const n of [1, 2, 3]) await sendThroughAmavis(api.context, { to: [USERS.alice.email], subject: `${subject} #${n}` });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const widget = (page: Page) => page.locator('amavis-quarantine');

  /** Signs alice in to Roundcube (in a browser in Tokyo: Roundcube's 'auto' zone takes the browser's). */
  async function aliceInRoundcube(viewport: { width: number; height: number }, dark: boolean): Promise<Page> {
    const context = await browser.newContext({ viewport, timezoneId: 'Asia/Tokyo', colorScheme: dark ? 'dark' : 'light' });
    if (dark) await context.addCookies([{ name: 'colorMode', value: 'dark', url: ROUNDCUBE }]);
    const page = await context.newPage();
    await page.goto(`${ROUNDCUBE}/?_task=login`);
    await page.locator('#rcmloginuser').fill(USERS.alice.email);
    await page.locator('#rcmloginpwd').fill(USERS.alice.password);
    await page.locator('#rcmloginsubmit').click();
    await page.waitForURL(/_task=mail/, { waitUntil: 'domcontentloaded' });
    await page.locator('#messagelist').waitFor();
    await page.waitForFunction(() => (window as unknown as { rcmail?: { loaded?: boolean } }).rcmail?.loaded === true);
    return page;
  }

  async function openQuarantine(page: Page): Promise<void> {
    await page.goto(`${ROUNDCUBE}/?_task=quarantine`);
    await widget(page).locator('section.aq-list[aria-busy="false"]').waitFor({ timeout: 30_000 });
    await widget(page).locator('input[type="search"]').fill(subject);
    await widget(page).locator('input[type="search"]').press('Enter');
    await expect.poll(() => widget(page).locator('[data-aq-item]').count(), { timeout: 30_000 }).toBe(3);
  }

  it('has no title or Sign out of its own, and shows dates in the user’s Roundcube zone and formats', async () => {
    const page = await aliceInRoundcube(VIEWPORTS.desktop, false);
    await openQuarantine(page);
    expect(await widget(page).locator('.aq-title').count()).toBe(0);
    expect(await widget(page).getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(await widget(page).locator('.aq-user').textContent()).toContain(USERS.alice.email);

    // Roundcube's defaults: date_format Y-m-d, time_format H:i, the zone of the browser at login.
    const row = widget(page).locator('[data-aq-item]').first();
    const iso = (await row.locator('time').getAttribute('datetime'))!;
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone: 'Asia/Tokyo',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date(iso))
        .map((x) => [x.type, x.value]),
    );
    await row.locator('.aq-item__from').click();
    await widget(page)
      .locator('.aq-summary', { hasText: `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` })
      .waitFor({ timeout: 30_000 });
    await page.context().close();
  }, 120_000);

  it('sits next to Roundcube’s own mail view: screenshots at desktop and phone widths, light and dark', async () => {
    for (const dark of [false, true])
      for (const [name, viewport] of [
        ['desktop', VIEWPORTS.desktop],
        ['phone', VIEWPORTS.phone],
      ] as const) {
        const look = `${name}-${dark ? 'dark' : 'light'}`;
        const page = await aliceInRoundcube(viewport, dark);
        await page.screenshot({ path: path.join(ARTIFACTS, `rc-mail-${look}.png`) });
        await openQuarantine(page);
        // One title on a phone: Roundcube's header has it, the widget none.
        const titles = await page.locator('.header-title:visible', { hasText: 'Quarantine' }).count();
        expect(titles + (await widget(page).locator('.aq-title').count())).toBeLessThanOrEqual(1);
        await page.screenshot({ path: path.join(ARTIFACTS, `rc-quarantine-${look}.png`) });
        await widget(page).locator('[data-aq-item] .aq-item__from').first().click();
        await widget(page).locator('section.aq-message .aq-msg-subject').waitFor({ timeout: 30_000 });
        await page.screenshot({ path: path.join(ARTIFACTS, `rc-quarantine-message-${look}.png`) });
        await page.context().close();
      }
  }, 240_000);
});
