import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { SenderListResponse } from '../../shared/sender-lists';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { learningEnv, openAs, screenshotLooks, SIZES_AND_MODES, widgetHarness } from '../support/widget-harness';

// Issue #14 as alice sees it: "Block sender" on a quarantined message puts the sender on her block list
// (in amavis's own wblist), offers to delete the sender's other quarantined mail, and the entry shows on
// the "Sender lists" screen, where she removes it again.
describe('allow and block senders, in Chromium', () => {
  const run = Math.random().toString(36).slice(2, 8);
  const sender = `bulk-${run}@sender-${run}.example.net`;
  const subject = `Sender list offer ${run}`;
  const vendor = `vendor-${run}@admin-${run}.example.net`;

  const h = widgetHarness({
    // Learning on when the stack has its spamd, so the screenshots show "Spam" and "Not spam" too (never clicked here).
    env: () => ({ ...ROLE_ENV, ...learningEnv() }),
    setup: async (api) => {
      // Two from one new sender: blocking it from the first finds the second.
      await sendThroughAmavis(api.context, { to: [USERS.alice.email], from: sender, subject: `${subject} one` });
      await sendThroughAmavis(api.context, { to: [USERS.alice.email], from: sender, subject: `${subject} two` });
      await sendThroughAmavis(api.context, { to: [USERS.alice.email], from: vendor, subject: `${subject} vendor` });
    },
  });
  const { w } = h;

  async function aliceOpens(text: string, viewport: { width: number; height: number } = VIEWPORTS.desktop, dark = false): Promise<Page> {
    return openAs(h, { user: USERS.alice, viewport, dark, search: text, open: true });
  }

  it('blocks the sender from a message, lists the entry, and removes it', async () => {
    const page = await aliceOpens(`${subject} one`);
    // "Block sender" in the message's toolbar blocks the address (the whole domain is in "More").
    const tools = w(page).getByRole('toolbar', { name: 'Message actions' });
    await tools.getByRole('button', { name: 'Block sender' }).click();
    await expect.poll(() => w(page).locator('[data-aq-status]').textContent(), { timeout: 20_000 }).toBe(`Sender blocked: ${sender}`);
    const ask = w(page).getByRole('alertdialog');
    expect(await ask.textContent()).toContain('1 more message from this sender is in your quarantine. Delete it too?');
    // The question has the focus: Enter would delete; she keeps the other one.
    await expect.poll(() => ask.getByRole('button', { name: 'Delete' }).evaluate((b) => b === (b.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await ask.getByRole('button', { name: 'No, keep' }).click();
    expect(await ask.count()).toBe(0);

    await w(page).getByRole('button', { name: 'Sender lists' }).click();
    const entry = w(page).locator(`tr[data-aq-entry="${sender}"]`);
    await entry.waitFor();
    expect(await entry.locator('td').allTextContents()).toEqual([sender, 'Blocked', 'You', 'Remove']);
    await entry.getByRole('button', { name: `Remove: ${sender}` }).click();
    await entry.waitFor({ state: 'detached' });
    expect(await w(page).locator('[data-aq-status]').textContent()).toBe('Entry removed.');
    await page.close();
  });

  it('lets the domain admin block a sender from alice’s message for everyone at example.test: amavisd then holds it for bob, not for carol', async () => {
    const page = await openAs(h, { user: USERS.admin, search: `${subject} vendor`, open: true });
    await w(page).getByRole('toolbar', { name: 'Message actions' }).getByRole('button', { name: 'More' }).click();
    await w(page).getByRole('menuitem', { name: 'Block sender for everyone at example.test' }).click();
    await expect.poll(() => w(page).locator('[data-aq-status]').textContent(), { timeout: 20_000 }).toBe(`Sender blocked for everyone at example.test: ${vendor}`);
    await page.close();

    const next = `Sender list vendor next ${run}`;
    await sendThroughAmavis(h.api.context, { to: [USERS.bob.email, USERS.carol.email], from: vendor, subject: next, body: 'Hello,\n\nour new prices.\n' });
    expect(await waitForInbox(USERS.carol, 'subject', next)).toHaveLength(1);
    expect(await inboxMessages(USERS.bob, 'subject', next)).toEqual([]);
    const bob = await signedIn(h.api.url, USERS.bob.email, USERS.bob.password);
    const held = await bodyOf<QuarantineListResponse>(await bob.get(`/messages?q=${encodeURIComponent(`vendor next ${run}`)}`));
    expect(held.items.map((i) => i.subject)).toEqual([next]);
    const admin = await signedIn(h.api.url, USERS.admin.email, USERS.admin.password);
    const entries = (await bodyOf<SenderListResponse>(await admin.get('/sender-lists'))).items.filter((e) => e.sender === vendor);
    expect(entries.map((e) => [e.list, e.for.key])).toEqual([['block', '@example.test']]);
    for (const e of entries) await admin.request('DELETE', `/sender-lists/${e.id}`);
  });

  it('refuses a sender that is no address or domain, in the form, with the server\u2019s words', async () => {
    const page = await aliceOpens(`${subject} two`);
    await w(page).getByRole('button', { name: 'Sender lists' }).click();
    const form = w(page).getByRole('form', { name: 'Add' });
    await form.getByRole('textbox', { name: 'Sender' }).fill('not a sender');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => form.getByRole('alert').textContent(), { timeout: 20_000 }).not.toBe('');
    expect(await form.getByRole('textbox', { name: 'Sender' }).getAttribute('aria-invalid')).toBe('true');
    await page.close();
  });

  it.each(SIZES_AND_MODES)('looks right at %s width in %s mode (screenshots of the message and the sender lists)', async (size, mode) => {
    const page = await aliceOpens(`${subject} two`, VIEWPORTS[size], mode === 'dark');
    await w(page).getByRole('toolbar', { name: 'Message actions' }).waitFor();
    await screenshotLooks(page, 'senders-message', size, mode);

    // An entry of her own to show, removed again afterwards.
    const own = `friend-${run}-${size}-${mode}@example.org`;
    await w(page).getByRole('button', { name: 'Sender lists' }).click();
    const form = w(page).getByRole('form', { name: 'Add' });
    await form.getByRole('textbox', { name: 'Sender' }).fill(own);
    await form.getByRole('button', { name: 'Add' }).click();
    const entry = w(page).locator(`tr[data-aq-entry="${own}"]`);
    await entry.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `senders-lists-${size}-${mode}.png`), fullPage: true });
    await entry.getByRole('button', { name: `Remove: ${own}` }).click();
    await entry.waitFor({ state: 'detached' });
    await page.close();
  });
});
