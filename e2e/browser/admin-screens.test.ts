import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { ARTIFACTS } from '../support/browser';
import { waitForInbox } from '../support/mailbox';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { digestEnv, openAs, searchFor, widgetHarness } from '../support/widget-harness';

const tag = () => Math.random().toString(36).slice(2, 8);

// The admin screens in Chromium against the real stack: a request shows its type, score and reason and
// opens its message; the audit log filters by who, what and when, and pages; an admin releases to another
// address and to every recipient, after a confirmation, and the mail is in those INBOXes (read over IMAP).
describe('the admin screens, in Chromium', () => {
  // alice asks for her spam, so that a request carries a score.
  const h = widgetHarness({ env: () => ({ ...ROLE_ENV, ...digestEnv(), AQ_RELEASE_POLICY: 'spam=request' }) });
  const { w } = h;

  async function signIn(user: { email: string; password: string }): Promise<Page> {
    const page = await openAs(h, { user });
    await w(page).locator('section.aq-list').waitFor();
    return page;
  }

  /** The id of alice's copy of the message with this subject. */
  async function alicesCopy(subject: string): Promise<string> {
    const alice = await signedIn(h.api.url, USERS.alice.email, USERS.alice.password);
    const list = await bodyOf<{ items: Array<{ id: string }> }>(await alice.request('GET', `/messages?q=${encodeURIComponent(subject)}`));
    expect(list.items).toHaveLength(1);
    return list.items[0]!.id;
  }

  async function openFromList(page: Page, subject: string) {
    await searchFor(page, subject);
    await w(page).locator('[data-aq-item]', { hasText: subject }).first().click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subject }).waitFor();
  }

  it('a request shows its type, score and reason, and opens its message; back returns to the requests', async () => {
    const subject = `Requested spam ${tag()}`;
    await sendThroughAmavis(h.api.context, { to: [USERS.alice.email], subject, body: `Hello.\n\n${GTUBE}\n` });
    const id = await alicesCopy(subject);
    const alice = await signedIn(h.api.url, USERS.alice.email, USERS.alice.password);
    // The API asks for the reason (request-release with a note) as the widget's request does.
    const asked = await alice.request('POST', `/messages/${encodeURIComponent(id)}/request-release`, { note: 'It is my invoice' });
    expect(asked.status, await asked.clone().text()).toBeLessThan(300);

    const page = await signIn(USERS.admin);
    await w(page).locator('button.aq-tab', { hasText: 'Requests' }).click();
    const request = w(page).locator('[data-aq-request]', { hasText: subject });
    await request.waitFor();
    expect(await request.locator('.aq-badge').first().textContent()).toBe('Spam');
    expect(Number(await request.locator('.aq-score').textContent())).toBeGreaterThan(100);
    expect(await request.locator('.aq-request-note').textContent()).toBe('Reason: It is my invoice');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-requests.png') });

    await request.locator('button.aq-request__open').click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subject }).waitFor();
    await w(page).locator('button.aq-back').click();
    await request.waitFor();
    expect(await w(page).locator('button.aq-tab[aria-current="page"]').textContent()).toBe('Requests');
    await page.close();
  });

  it('the audit log filters by action, who and date, shows subjects, and pages back and forth', async () => {
    const subject = `Audited ${tag()}`;
    await sendThroughAmavis(h.api.context, { to: [USERS.alice.email], subject, body: `Hello.\n\n${GTUBE}\n` });
    const id = await alicesCopy(subject);
    // 55 admin views of alice's mail: more than one page (50) of `view` entries by super.
    const root = await signedIn(h.api.url, USERS.super.email, USERS.super.password);
    for (let i = 0; i < 55; i++) expect((await root.request('GET', `/messages/${encodeURIComponent(id)}`)).status).toBe(200);

    const page = await signIn(USERS.super);
    await w(page).locator('button.aq-tab', { hasText: 'Audit log' }).click();
    const audit = w(page).locator('section.aq-audit');
    await audit.locator('select').selectOption('view');
    await audit.locator('input[name="actor"]').fill(USERS.super.email);
    await audit.locator('input[name="actor"]').press('Enter');
    const today = new Date().toISOString().slice(0, 10);
    await audit.locator('input[type="date"]').first().fill(today);
    const rows = audit.locator('tbody tr');
    const firstPage = async () =>
      audit.evaluate((el) => [...el.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    await expect.poll(async () => (await audit.getAttribute('aria-busy')) === 'false' && (await rows.count()) === 50, { timeout: 20_000 }).toBe(true);
    const one = await firstPage();
    // Every row is what the filters asked for, with its message's subject.
    expect(one.every(([, who, what]) => who === USERS.super.email && what === 'view')).toBe(true);
    expect(one[0]![3]).toBe(subject);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-audit.png') });

    // Older: the next page, none of the first page's rows; Newer: back to the first page.
    await audit.locator('button', { hasText: 'Older' }).click();
    await expect
      .poll(async () => (await audit.getAttribute('aria-busy')) === 'false' && JSON.stringify(await firstPage()) !== JSON.stringify(one), { timeout: 20_000 })
      .toBe(true);
    expect((await firstPage()).every(([, who, what]) => who === USERS.super.email && what === 'view')).toBe(true);
    await audit.locator('button', { hasText: 'Newer' }).click();
    await expect.poll(async () => JSON.stringify(await firstPage()), { timeout: 20_000 }).toBe(JSON.stringify(one));

    // A date range before today has none of them.
    await audit.locator('input[type="date"]').first().fill('2001-01-01');
    await audit.locator('input[type="date"]').nth(1).fill('2001-01-02');
    await expect.poll(async () => (await audit.getAttribute('aria-busy')) === 'false' && (await rows.count()) === 0, { timeout: 20_000 }).toBe(true);
    await page.close();
  });

  it('an admin releases to another address and to every recipient, each after a confirmation; the mail arrives', async () => {
    const toOther = `Release to bob ${tag()}`;
    await sendThroughAmavis(h.api.context, { to: [USERS.alice.email], subject: toOther, body: `Hello.\n\n${GTUBE}\n` });
    const toAll = `Release to all ${tag()}`;
    await sendThroughAmavis(h.api.context, { to: [USERS.alice.email, USERS.bob.email], subject: toAll, body: `Hello.\n\n${GTUBE}\n` });
    const page = await signIn(USERS.admin);

    await openFromList(page, toOther);
    const panel = w(page).locator('.aq-admin-release');
    await panel.locator('summary').click();
    await panel.locator('input[name="to"]').fill(USERS.bob.email);
    await panel.locator('[data-aq-release-to]').click();
    // Nothing is sent before the confirmation, which names the address; Cancel keeps the mail.
    await panel.locator('[role="alertdialog"]', { hasText: `Release this message to ${USERS.bob.email}?` }).waitFor();
    await panel.locator('button', { hasText: 'Cancel' }).click();
    await panel.locator('[data-aq-release-to]').click();
    await panel.locator('[data-aq-confirm-yes]').click();
    await w(page)
      .locator('[data-aq-status="success"]', { hasText: `Released to ${USERS.bob.email}.` })
      .waitFor();
    expect(await waitForInbox(USERS.bob, 'subject', toOther, (text) => text.includes(GTUBE))).toHaveLength(1);
    expect(await waitForInbox(USERS.alice, 'subject', toOther, () => true, 1_000)).toHaveLength(0);

    await w(page).locator('button.aq-back').click();
    await openFromList(page, toAll);
    await panel.locator('summary').click();
    await panel.locator('[data-aq-release-all]').click();
    await panel.locator('[role="alertdialog"]', { hasText: 'every recipient' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-release-all.png') });
    await panel.locator('[data-aq-confirm-yes]').click();
    await w(page).locator('[data-aq-status="success"]', { hasText: 'Released to' }).waitFor();
    expect(await waitForInbox(USERS.alice, 'subject', toAll, (text) => text.includes(GTUBE))).toHaveLength(1);
    expect(await waitForInbox(USERS.bob, 'subject', toAll, (text) => text.includes(GTUBE))).toHaveLength(1);
    await page.close();
  });
});
