import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { digestEnv, searchFor, submitSignIn, widgetHarness } from '../support/widget-harness';

// Split so that this file does not trip a virus scanner; the stack's scanner reports it as Eicar-Test-Signature.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

// An admin's own ways to let dangerous mail out ask first and name the risk, in real Chromium against the
// real stack: a release of a virus to another address, and the approval of a request for a blocked
// attachment or a forged sender. Cancel sends nothing; a confirmation delivers one copy (read over IMAP).
describe('admin releases of dangerous mail, in Chromium', () => {
  const run = Math.random().toString(36).slice(2, 8);

  // alice may ask for her spam (the forged sender below is spam); a blocked attachment needs a request by default.
  const h = widgetHarness({ env: () => ({ ...ROLE_ENV, ...digestEnv(), AQ_RELEASE_POLICY: 'spam=request' }) });
  const { w } = h;

  const activeText = (page: Page) => page.evaluate(() => document.getElementById('aq')?.shadowRoot?.activeElement?.textContent ?? null);

  /** Signs the admin in; `sent` collects the releases and approvals the page asks the API for. */
  async function signInAdmin(): Promise<{ page: Page; sent: string[] }> {
    const page = await h.browser.newPage({ viewport: VIEWPORTS.desktop });
    const sent: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && /\/(release|approve)$/.test(new URL(r.url()).pathname) && sent.push(new URL(r.url()).pathname));
    await page.goto(h.host.origin);
    await submitSignIn(page, USERS.admin);
    await w(page).locator('section.aq-list').waitFor();
    return { page, sent };
  }

  it('a release of a virus to another address names the virus; Cancel sends nothing; confirming delivers one copy', async () => {
    const subject = `Risky release-to ${run}`;
    await sendThroughAmavis(h.api.context, { to: [USERS.alice.email], subject, body: `Open the attachment.\n\n${EICAR}\n` });
    const { page, sent } = await signInAdmin();
    await searchFor(page, subject);
    await w(page).locator('[data-aq-item]', { hasText: subject }).first().click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subject }).waitFor();

    const panel = w(page).locator('.aq-admin-release');
    await panel.locator('summary').click();
    await panel.locator('input[name="to"]').fill(USERS.bob.email);
    await panel.locator('[data-aq-release-to]').click();
    const dialog = panel.locator('[role="alertdialog"]');
    await dialog.waitFor();
    expect(await dialog.locator('p').textContent()).toBe(`Release this message to ${USERS.bob.email}? It contains a virus that can infect the computer it is opened on.`);
    expect(await dialog.locator('[data-aq-confirm-yes]').textContent()).toBe('Release anyway');
    await expect.poll(() => activeText(page), { timeout: 10_000 }).toBe('Cancel');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-risk-release-to.png') });

    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(sent).toEqual([]);
    expect(await inboxMessages(USERS.bob, 'subject', subject)).toHaveLength(0);

    // The address typed is still there: one click asks again, and the confirmation sends it.
    await panel.locator('[data-aq-release-to]').click();
    await dialog.locator('[data-aq-confirm-yes]').click();
    await w(page)
      .locator('[data-aq-status="success"]', { hasText: `Released to ${USERS.bob.email}.` })
      .waitFor({ timeout: 30_000 });
    expect(sent).toHaveLength(1);
    expect(await waitForInbox(USERS.bob, 'subject', subject, (text) => text.includes('EICAR'))).toHaveLength(1);
    // Exactly one copy, and none for alice, who was not the target.
    expect(await waitForInbox(USERS.bob, 'subject', subject, () => true, 1_000)).toHaveLength(1);
    expect(await inboxMessages(USERS.alice, 'subject', subject)).toHaveLength(0);
    await page.close();
  });

  it('approving a request for a blocked attachment or a forged sender names the risk; once confirmed, the copy arrives', async () => {
    const banned = `Risky request banned ${run}`;
    const phish = `Risky request phish ${run}`;
    const ids = {
      banned: (
        await sendThroughAmavis(h.api.context, {
          to: [USERS.alice.email],
          subject: banned,
          body: 'Run it.',
          attachment: { name: 'setup.exe', content: 'MZ not really a program' },
        })
      )[USERS.alice.email]!,
      phish: (
        await sendThroughAmavis(h.api.context, {
          to: [USERS.alice.email],
          subject: phish,
          headers: ['From: "PayPal Service" <service@paypal.example.net>'],
          body: `Your account is locked.\n\n${GTUBE}\n`,
        })
      )[USERS.alice.email]!,
    };
    const alice = await signedIn(h.api.url, USERS.alice.email, USERS.alice.password);
    for (const id of Object.values(ids)) {
      const asked = await alice.request('POST', `/messages/${encodeURIComponent(id)}/request-release`, { note: 'I need it' });
      expect(asked.status, await asked.clone().text()).toBe(201);
    }

    const { page, sent } = await signInAdmin();
    await w(page).locator('button.aq-tab', { hasText: 'Requests' }).click();
    const dialog = w(page).locator('[role="alertdialog"]');

    // The forged sender (the From header names PayPal, the envelope sender someone else): Cancel approves nothing.
    const phishRequest = w(page).locator('[data-aq-request]', { hasText: phish });
    await phishRequest.locator('button[value="approve"]').click();
    expect(await dialog.locator('p').textContent()).toBe(
      `Release this message to ${USERS.alice.email}? It looks like phishing: sender checks failed or the sender is forged.`,
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    const bannedRequest = w(page).locator('[data-aq-request]', { hasText: banned });
    await bannedRequest.locator('button[value="approve"]').click();
    expect(await dialog.locator('p').textContent()).toBe(
      `Release this message to ${USERS.alice.email}? It carries a blocked attachment, such as a program, that can harm a computer.`,
    );
    await expect.poll(() => activeText(page), { timeout: 10_000 }).toBe('Cancel');
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin-risk-approve.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(sent).toEqual([]);
    expect(await inboxMessages(USERS.alice, 'subject', banned)).toHaveLength(0);

    await bannedRequest.locator('button[value="approve"]').click();
    await dialog.locator('[data-aq-confirm-yes]').click();
    await w(page).locator('[data-aq-status="success"]', { hasText: 'Request approved' }).waitFor({ timeout: 30_000 });
    expect(sent).toHaveLength(1);
    expect(await waitForInbox(USERS.alice, 'subject', banned, (text) => text.includes('Run it.'))).toHaveLength(1);
    // The approved request left the list; the phishing one is still there, undecided.
    await bannedRequest.waitFor({ state: 'detached' });
    await phishRequest.waitFor();
    expect(await inboxMessages(USERS.alice, 'subject', phish)).toHaveLength(0);
    await page.close();
  });
});
