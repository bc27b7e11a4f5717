import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { hostPageHtml, startHostServer } from '../support/host-page';
import { waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { searchFor, submitSignIn } from '../support/widget-harness';

// Roundcube's mail layout in a host page, in real Chromium against the real stack: the list with the
// open message beside it (a preview pane) on a wide widget and over it on a phone, totals from the
// server's capped count, Roundcube's selection clicks, state that survives opening a message and a
// reload (the page's URL hash), and dates in the zone and formats the host passes.
describe('the widget laid out like Roundcube’s mail view, in Chromium', () => {
  let api: TestServer;
  let host: Awaited<ReturnType<typeof startHostServer>>;
  let browser: Browser;
  const run = Math.random().toString(36).slice(2, 8);
  const tag = `Layout ${run}`;
  const COUNT = 53;

  beforeAll(async () => {
    const urls = { api: '' };
    host = await startHostServer((url) => {
      const attrs: Record<string, string> = {};
      for (const name of ['data-timezone', 'data-date-format', 'data-time-format', 'data-state']) {
        const value = url.searchParams.get(name);
        if (value !== null) attrs[name] = value;
      }
      return hostPageHtml({ widgetUrl: `${urls.api}/amavis-quarantine.js`, apiUrl: `${urls.api}/api`, dark: url.searchParams.has('dark'), attrs });
    });
    api = await startTestServer({ ...ROLE_ENV, AQ_ALLOWED_ORIGINS: host.origin });
    urls.api = api.url;
    const alice = [USERS.alice.email];
    for (let i = 0; i < COUNT; i += 4)
      await Promise.all(
        [0, 1, 2, 3].filter((j) => i + j < COUNT).map((j) => sendThroughAmavis(api.context, { to: alice, subject: `${tag} #${String(i + j).padStart(2, '0')}` })),
      );
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  const w = (page: Page) => page.locator('amavis-quarantine');
  const rowIds = (page: Page) =>
    w(page)
      .locator('[data-aq-item]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-aq-item') ?? ''));
  const selectedIds = (page: Page) =>
    w(page)
      .locator('[data-aq-item][aria-selected="true"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-aq-item') ?? ''));
  const settled = (page: Page) => w(page).locator('section.aq-list[aria-busy="false"]').waitFor({ timeout: 30_000 });

  async function open(query = '', viewport: { width: number; height: number } = VIEWPORTS.desktop, timezoneId?: string): Promise<Page> {
    const context = await browser.newContext({ viewport, ...(timezoneId ? { timezoneId } : {}), colorScheme: query.includes('dark') ? 'dark' : 'light' });
    const page = await context.newPage();
    await page.goto(`${host.origin}/${query}`);
    return page;
  }

  async function signIn(page: Page): Promise<void> {
    await submitSignIn(page, USERS.alice);
    await settled(page);
  }

  async function search(page: Page, text: string): Promise<void> {
    await searchFor(page, text);
    await expect.poll(async () => (await w(page).locator('[data-aq-item]').allTextContents()).every((t) => t.includes(text)), { timeout: 30_000 }).toBe(true);
    await settled(page);
  }

  it('shows totals, selects like Roundcube, previews beside the list, and keeps it all across opening a message and a reload', async () => {
    const page = await open();
    await signIn(page);
    await search(page, tag);
    // Totals from the server's count: the first page of 50, then all after "Load more".
    await expect.poll(() => w(page).locator('.aq-range').textContent(), { timeout: 30_000 }).toBe(`1–50 of ${COUNT}`);
    await w(page).locator('button.aq-more').click();
    await expect.poll(() => w(page).locator('.aq-range').textContent(), { timeout: 30_000 }).toBe(`1–${COUNT} of ${COUNT}`);
    // Oldest first, from the filters (in a popover under the Filters button, closed again by it).
    await w(page).locator('button.aq-filter-toggle').click();
    await w(page).getByRole('combobox', { name: 'Sort' }).selectOption('date-asc');
    await w(page).locator('button.aq-filter-toggle').click();
    // (The first four were sent at once: any of them may have come first.)
    await expect.poll(async () => (await w(page).locator('[data-aq-item] .aq-item__subject').first().textContent())?.trim(), { timeout: 30_000 }).toMatch(/#0[0-3]$/);
    await settled(page);
    // "Load more" was reset by the new order: load the second page again.
    await w(page).locator('button.aq-more').click();
    await expect.poll(() => w(page).locator('[data-aq-item]').count(), { timeout: 30_000 }).toBe(COUNT);
    const ids = await rowIds(page);
    const subjects = (await w(page).locator('[data-aq-item] .aq-item__subject').allTextContents()).map((t) => t.trim());

    // Shift-click selects a range from the last clicked row, ctrl-click one more; a click opens the
    // message beside the list, which stays in sight.
    const row = (i: number) => w(page).locator(`[data-aq-item="${ids[i]}"] .aq-item__from`);
    await row(1).click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subjects[1] }).waitFor();
    expect(await w(page).locator('section.aq-list').isVisible()).toBe(true);
    await row(4).click({ modifiers: ['Shift'] });
    expect(await selectedIds(page)).toEqual(ids.slice(1, 5));
    await row(7).click({ modifiers: ['Control'] });
    expect(await selectedIds(page)).toEqual([...ids.slice(1, 5), ids[7]]);
    await w(page).locator('.aq-bulk', { hasText: '5 selected' }).waitFor();
    // The preview is beside the list, not over it.
    const [list, preview] = await Promise.all([w(page).locator('section.aq-list').boundingBox(), w(page).locator('section.aq-message').boundingBox()]);
    expect(preview!.x).toBeGreaterThan(list!.x + list!.width - 1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-desktop-light.png') });

    // Scrolled down a little, then reloaded: the search, the order, both pages, the selection, the open
    // message and the scroll position are back.
    await page.evaluate(() => window.scrollTo(0, 400));
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 10_000 }).toContain('scroll=400');
    const hash = await page.evaluate(() => location.hash);
    expect(hash).toMatch(/^#aq\?/);
    expect(hash).toContain('sort=date-asc');
    expect(hash).toContain('pages=2');
    await page.reload();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subjects[1] }).waitFor({ timeout: 30_000 });
    await expect.poll(() => w(page).locator('[data-aq-item]').count(), { timeout: 30_000 }).toBe(COUNT);
    expect(await w(page).locator('input[type="search"]').inputValue()).toBe(tag);
    expect(await rowIds(page)).toEqual(ids);
    expect(await selectedIds(page)).toEqual([...ids.slice(1, 5), ids[7]]);
    await expect.poll(() => page.evaluate(() => window.scrollY), { timeout: 10_000 }).toBe(400);

    // The message's toolbar acts on the message in the preview: a release reaches alice's INBOX, and
    // the list beside it loads afresh ('Open' no longer holds it).
    await page.evaluate(() => window.scrollTo(0, 0));
    await row(0).click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subjects[0] }).waitFor();
    await w(page).locator('.aq-msg-bar [data-aq-action="release"]').click();
    await w(page).locator('.aq-msg-bar [data-aq-state="released"]').waitFor({ timeout: 30_000 });
    expect(await waitForInbox(USERS.alice, 'subject', subjects[0]!, (text) => text.length > 0)).toHaveLength(1);
    await expect.poll(() => w(page).locator(`[data-aq-item="${ids[0]}"]`).count(), { timeout: 30_000 }).toBe(0);
    await page.context().close();
  }, 180_000);

  it('on a phone, the message covers the list and Back returns to the same place, with the same rows and focus', async () => {
    const page = await open('', VIEWPORTS.phone);
    await signIn(page);
    await search(page, tag);
    await w(page).locator('button.aq-more').click();
    await expect.poll(() => w(page).locator('[data-aq-item]').count(), { timeout: 30_000 }).toBeGreaterThan(50);
    const ids = await rowIds(page);
    const target = w(page).locator(`[data-aq-item="${ids[20]}"]`);
    await target.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => window.scrollY);
    expect(scrolled).toBeGreaterThan(0);
    await target.locator('.aq-item__from').click();
    await w(page).locator('section.aq-message .aq-msg-subject').waitFor();
    expect(await w(page).locator('section.aq-list').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-phone-message-light.png') });
    await w(page).locator('button.aq-back').click();
    await w(page).locator(`[data-aq-item="${ids[20]}"]:focus`).waitFor({ timeout: 30_000 });
    expect(await rowIds(page)).toEqual(ids);
    await expect.poll(() => page.evaluate(() => window.scrollY), { timeout: 10_000 }).toBeGreaterThan(scrolled - 200);
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-phone-light.png') });
    await page.context().close();
  }, 120_000);

  it('shows dates in the zone and formats the host passes, and keeps nothing in the hash with data-state="none"', async () => {
    const query = `?data-timezone=Asia/Tokyo&data-date-format=${encodeURIComponent('d.m.Y')}&data-time-format=${encodeURIComponent('H:i')}&data-state=none`;
    // The browser itself is in New York: the widget must follow the host, not the browser.
    const page = await open(query, VIEWPORTS.desktop, 'America/New_York');
    await signIn(page);
    await search(page, tag);
    const first = w(page).locator('[data-aq-item]').first();
    const iso = (await first.locator('time').getAttribute('datetime'))!;
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
    const time = `${p.hour}:${p.minute}`;
    expect(await first.locator('time').textContent()).toMatch(new RegExp(`^(${p.day}\\.${p.month}\\.${p.year} )?${time}$`));
    await first.locator('.aq-item__from').click();
    await w(page)
      .locator('.aq-summary', { hasText: `${p.day}.${p.month}.${p.year} ${time}` })
      .waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('');
    await page.context().close();
  }, 120_000);

  it('looks like Roundcube’s mail view at desktop and phone widths, light and dark', async () => {
    for (const dark of [false, true])
      for (const [name, viewport] of [
        ['desktop', VIEWPORTS.desktop],
        ['phone', VIEWPORTS.phone],
      ] as const) {
        const page = await open(dark ? '?dark' : '', viewport);
        await signIn(page);
        await search(page, tag);
        const look = `${name}-${dark ? 'dark' : 'light'}`;
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-list-${look}.png`) });
        await w(page).locator('[data-aq-item] .aq-item__from').nth(2).click();
        await w(page).locator('section.aq-message .aq-msg-subject').waitFor();
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-message-${look}.png`) });
        await page.context().close();
      }
  }, 180_000);
});
