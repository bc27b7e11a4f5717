import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { axeWidget, seriousFindings } from '../support/axe';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { waitForInbox } from '../support/mailbox';
import { learningEnv, openAs, SIZES_AND_MODES, widgetHarness } from '../support/widget-harness';

// Issue 16: the open message has a toolbar like Roundcube's (Elastic): icon buttons with their names for
// what the server allows, "More" for the rest, one tab stop with arrow keys, a menu that Esc closes. Under
// `banned=request` banned mail offers "Request release"; spam offers "Release", and that button puts
// the mail in alice's INBOX, read back over IMAP.
describe('the message toolbar, in Chromium', () => {
  const run = Math.random().toString(36).slice(2, 8);
  const subjects = { spam: `Toolbar spam ${run}`, banned: `Toolbar invoice ${run}`, release: `Toolbar release ${run}`, look: `Toolbar look ${run}` };

  // Learning on when the stack has its spamd, so that spam offers "Not spam" (never clicked here).
  const learned = learningEnv();
  const learning = 'AQ_SPAMD' in learned;
  const h = widgetHarness({
    env: () => ({ ...ROLE_ENV, ...learned, AQ_RELEASE_POLICY: 'banned=request' }),
    setup: async (api) => {
      for (const subject of [subjects.spam, subjects.release, subjects.look]) await sendThroughAmavis(api.context, { to: [USERS.alice.email], subject });
      await sendThroughAmavis(api.context, {
        to: [USERS.alice.email],
        subject: subjects.banned,
        body: 'Please pay the attached invoice.',
        attachment: { name: 'invoice.exe', content: 'MZ not really a program' },
      });
    },
  });
  const { w } = h;

  const toolbar = (page: Page) => w(page).getByRole('toolbar', { name: 'Message actions' });
  const focused = (page: Page) => page.evaluate(() => document.querySelector('amavis-quarantine')?.shadowRoot?.activeElement?.textContent ?? '');

  async function aliceOpens(subject: string, viewport: { width: number; height: number } = VIEWPORTS.desktop, dark = false): Promise<Page> {
    const page = await openAs(h, { user: USERS.alice, viewport, dark, search: subject, open: true });
    await expect.poll(() => w(page).locator('section.aq-message').getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
    return page;
  }

  it('offers Release, Not spam, Delete, Block sender and More for spam; the arrows move; Esc closes "More" onto its button', async () => {
    const page = await aliceOpens(subjects.spam);
    const labels = await toolbar(page).locator('.aq-tb-btn').allTextContents();
    expect(labels).toEqual(learning ? ['Release', 'Not spam', 'Delete', 'Block sender', 'More'] : ['Release', 'Delete', 'Block sender', 'More']);
    // Every button has an icon hidden from assistive technology, and its name in words.
    expect(await toolbar(page).locator('button > svg[aria-hidden="true"]').count()).toBe(labels.length);

    // "back" has the focus; Tab reaches the toolbar once, on its first button, and the arrows go on from there.
    await expect.poll(() => focused(page), { timeout: 10_000 }).toContain('Back to the list');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Release');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe(labels[1]);
    await page.keyboard.press('End');
    expect(await focused(page)).toBe('More');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('Release');
    await page.keyboard.press('ArrowLeft');
    expect(await focused(page)).toBe('More');

    // Enter opens the menu on its first item; the arrows move; Esc closes it onto "More", and stays in the message.
    const more = toolbar(page).getByRole('button', { name: 'More' });
    expect(await more.getAttribute('aria-haspopup')).toBe('menu');
    await page.keyboard.press('Enter');
    const menu = w(page).getByRole('menu', { name: 'More' });
    await menu.waitFor();
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    const items = await menu.getByRole('menuitem').allTextContents();
    expect(items).toEqual([
      'Allow sender',
      'Allow the whole domain @sender.example.net',
      'Block the whole domain @sender.example.net',
      ...(learning ? ['Spam'] : []),
      'Download original (.eml)',
    ]);
    expect(await focused(page)).toBe(items[0]);
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe(items[1]);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toBe(items.at(-1));
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await focused(page)).toBe('More');
    expect(await more.getAttribute('aria-expanded')).toBe('false');
    expect(await w(page).locator('section.aq-message').count()).toBe(1);
    // A click outside closes it too.
    await more.click();
    await menu.waitFor();
    await w(page).locator('section.aq-message .aq-msg-subject').click();
    await menu.waitFor({ state: 'detached' });
    await page.close();
  });

  it('offers "Request release" and no "Release" for banned mail, by the release policy', async () => {
    const page = await aliceOpens(subjects.banned);
    expect(await toolbar(page).locator('.aq-tb-btn').allTextContents()).toEqual(['Request release', 'Delete', 'Block sender', 'More']);
    expect(await toolbar(page).locator('[data-aq-action="request"]').count()).toBe(1);
    await page.close();
  });

  it('releases from the toolbar: one copy in alice\u2019s INBOX, and the message shows "Released" in place', async () => {
    const page = await aliceOpens(subjects.release);
    await toolbar(page).getByRole('button', { name: 'Release' }).click();
    await w(page).locator('[data-aq-status="success"]', { hasText: 'Message released' }).waitFor({ timeout: 30_000 });
    await w(page).locator('.aq-msg-bar [data-aq-state="released"]').waitFor();
    // Released mail offers no second release; the focus did not fall out of the widget.
    expect(await toolbar(page).locator('[data-aq-action="release"]').count()).toBe(0);
    await expect.poll(() => focused(page), { timeout: 10_000 }).toContain('Back to the list');
    expect(await waitForInbox(USERS.alice, 'subject', subjects.release, (text) => text.includes(GTUBE))).toHaveLength(1);
    await page.close();
  });

  it.each(SIZES_AND_MODES)('fits and reads at %s width in %s mode: no overflow, touch targets, axe with the menu open (screenshots)', async (size, mode) => {
    const viewport = VIEWPORTS[size];
    const page = await aliceOpens(subjects.look, viewport, mode === 'dark');
    await w(page).locator('iframe.aq-body-frame').contentFrame().locator('pre, body > *').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `toolbar-message-${size}-${mode}.png`) });
    const buttons = toolbar(page).locator('button');
    for (const box of await buttons.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
      expect(box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
    }
    // One row of buttons, on a phone too.
    const tops = new Set(await buttons.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top))));
    expect(tops.size).toBe(1);

    await toolbar(page).getByRole('button', { name: 'More' }).click();
    const menu = w(page).getByRole('menu', { name: 'More' });
    await menu.waitFor();
    const box = (await menu.boundingBox())!;
    expect(box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: path.join(ARTIFACTS, `toolbar-menu-${size}-${mode}.png`) });
    const report = await axeWidget(page);
    expect(report.shadowNodes).toBeGreaterThan(10);
    expect(seriousFindings(report).map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' | ')}`)).toEqual([]);
    await page.close();
  });
});
