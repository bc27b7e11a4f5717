import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { sendThroughAmavis } from '../support/send-mail';
import { openAs, screenshotLooks, SIZES_AND_MODES, widgetHarness } from '../support/widget-harness';

// The widget offers what the server allows and nothing else: under `banned=request` a user's banned mail
// offers "Request release" and no "Release", in the list (row and bulk bar) and in the message view,
// while her spam (released directly by default) still offers "Release".
describe('the release policy, as the widget shows it, in Chromium', () => {
  const run = Math.random().toString(36).slice(2, 8);
  const bannedSubject = `Policy invoice ${run}`;
  const spamSubject = `Policy spam ${run}`;

  const h = widgetHarness({
    env: () => ({ ...ROLE_ENV, AQ_RELEASE_POLICY: 'banned=request' }),
    setup: async (api) => {
      // Fresh mail, not the seed's: other tests may have requested or released the seed's banned mail.
      await sendThroughAmavis(api.context, {
        to: [USERS.alice.email],
        subject: bannedSubject,
        body: 'Please pay the attached invoice.',
        attachment: { name: 'invoice.exe', content: 'MZ not really a program' },
      });
      await sendThroughAmavis(api.context, { to: [USERS.alice.email], subject: spamSubject });
    },
  });
  const { w } = h;

  const labels = (scope: Locator) => scope.locator('button').allTextContents();

  async function aliceSearches(text: string, viewport: { width: number; height: number } = VIEWPORTS.desktop, dark = false): Promise<Page> {
    const page = await openAs(h, { user: USERS.alice, viewport, dark, search: text });
    await expect.poll(() => w(page).locator('section.aq-list').getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
    return page;
  }

  it('offers "Request release" and no "Release" for alice\u2019s banned mail, in the list and the message view', async () => {
    const page = await aliceSearches(bannedSubject);
    const row = w(page).locator('[data-aq-item]', { hasText: bannedSubject });
    expect(await labels(row.locator('.aq-item__actions'))).toEqual(['Request release', 'Delete']);

    // The bulk bar offers what a selected message allows.
    await row.locator('input[type="checkbox"]').check();
    // "More" comes with the message chunk, a moment after the row's own buttons.
    await expect.poll(() => labels(w(page).locator('.aq-bulk .aq-actions')), { timeout: 20_000 }).toEqual(['Request release', 'Delete', 'More']);

    await row.locator('.aq-item__subject').click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: bannedSubject }).waitFor();
    // The toolbar: no learning in this stack's server (no AQ_SPAMD), so no "Not spam".
    expect(await labels(w(page).getByRole('toolbar', { name: 'Message actions' }))).toEqual(['Request release', 'Delete', 'Block sender', 'More']);
    // The release key does nothing where release is not offered.
    await page.keyboard.press('r');
    expect(await w(page).locator('[data-aq-status]').count()).toBe(0);
    await page.close();
  });

  it('still offers "Release" for her spam', async () => {
    const page = await aliceSearches(spamSubject);
    const row = w(page).locator('[data-aq-item]', { hasText: spamSubject });
    expect(await labels(row.locator('.aq-item__actions'))).toEqual(['Release', 'Delete']);
    await row.locator('.aq-item__subject').click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: spamSubject }).waitFor();
    expect(await labels(w(page).getByRole('toolbar', { name: 'Message actions' }))).toEqual(['Release', 'Delete', 'Block sender', 'More']);
    await page.close();
  });

  it.each(SIZES_AND_MODES)('looks right at %s width in %s mode (screenshots of the list and the message)', async (size, mode) => {
    // Both of this run's mails: their subjects end in the run's tag.
    const page = await aliceSearches(run, VIEWPORTS[size], mode === 'dark');
    const row = w(page).locator('[data-aq-item]', { hasText: bannedSubject });
    // On a desktop the row's buttons show on hover or focus.
    await row.hover();
    await screenshotLooks(page, 'policy-list', size, mode);
    await row.locator('.aq-item__subject').click();
    await w(page).locator('section.aq-message .aq-attachments').waitFor();
    await w(page).locator('iframe.aq-body-frame').contentFrame().locator('pre, body > *').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `policy-message-${size}-${mode}.png`), fullPage: true });
    await page.close();
  });
});
