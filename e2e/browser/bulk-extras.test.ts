import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { QuarantineListResponse } from '../../shared/quarantine';
import type { SenderListResponse } from '../../shared/sender-lists';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { axeWidget, seriousFindings } from '../support/axe';
import { bayesCounts } from '../support/bayes';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { sendThroughAmavis } from '../support/send-mail';
import { learningEnv, openAs, SIZES_AND_MODES, widgetHarness } from '../support/widget-harness';

// Issue #14's "Spam" and "Not spam" (and the sender lists) on many messages at once: select rows, "More" in
// the bulk bar, one choice. The proof is the real peers': the INBOX over IMAP, spamd's Bayes counts, and
// amavisd's fate for the blocked senders' next mail.
describe('"More" for the selected messages, in Chromium', () => {
  const run = Math.random().toString(36).slice(2, 8);
  const subject = (what: string, n: number) => `Bulk extras ${run} ${what} ${n}`;
  const senders = {
    notspam: [1, 2].map((n) => `shop${n}-${run}@bulk-${run}.example.net`),
    block: [1, 2].map((n) => `pest${n}-${run}@bulk-${run}.example.net`),
    learn: [1, 2].map((n) => `junk${n}-${run}@bulk-${run}.example.net`),
  };
  // A body of its own per mail: Bayes remembers messages by their tokens.
  const spam = () => `Cheap pills ${Math.random()} now.\n\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n`;

  const h = widgetHarness({
    env: () => ({ ...ROLE_ENV, ...learningEnv() }),
    setup: async (api) => {
      for (const what of ['notspam', 'block', 'learn', 'look'] as const)
        for (const [i, from] of (senders[what === 'look' ? 'block' : what] ?? []).entries())
          await sendThroughAmavis(api.context, { to: [USERS.alice.email], from, subject: subject(what, i + 1), body: spam() });
    },
  });
  const { w } = h;

  /** alice's list of this run's `what` mail, both rows selected, the bulk bar's "More" open. */
  async function selectBothAndOpenMore(what: string, viewport: { width: number; height: number } = VIEWPORTS.desktop, dark = false): Promise<Page> {
    const page = await openAs(h, { user: USERS.alice, viewport, dark, search: `${run} ${what}` });
    await expect.poll(() => w(page).locator('[data-aq-item]').count(), { timeout: 20_000 }).toBe(2);
    await w(page).locator('.aq-bulk input[type="checkbox"]').check();
    await w(page).locator('.aq-bulk', { hasText: '2 selected' }).waitFor();
    await w(page).locator('.aq-bulk').getByRole('button', { name: 'More' }).click();
    await w(page).getByRole('menu', { name: 'More' }).waitFor();
    return page;
  }

  /** Takes alice's entries for these senders off her lists again (Not spam allows, Block blocks). */
  async function removeEntries(which: readonly string[]): Promise<void> {
    const alice = await signedIn(h.api.url, USERS.alice.email, USERS.alice.password);
    const { items } = await bodyOf<SenderListResponse>(await alice.get('/sender-lists'));
    const mine = items.filter((entry) => which.includes(entry.sender));
    expect(mine).toHaveLength(which.length);
    for (const entry of mine) expect((await alice.request('DELETE', `/sender-lists/${entry.id}`)).status).toBe(200);
  }

  it('"Not spam" on two messages: both land in the INBOX, spamd learns two hams, and the rows show them released', async () => {
    const before = await bayesCounts();
    const page = await selectBothAndOpenMore('notspam');
    const menu = w(page).getByRole('menu', { name: 'More' });
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['Not spam', 'Spam', 'Allow sender', 'Block sender']);
    await menu.getByRole('menuitem', { name: 'Not spam' }).click();
    await expect.poll(() => w(page).locator('[data-aq-status]').textContent(), { timeout: 60_000 }).toBe('2 released as not spam');
    for (const n of [1, 2]) expect(await waitForInbox(USERS.alice, 'subject', subject('notspam', n))).toHaveLength(1);
    expect((await bayesCounts()).nham).toBe(before.nham + 2);
    await expect.poll(() => w(page).locator('[data-aq-item].aq-item--released').count(), { timeout: 10_000 }).toBe(2);
    await page.close();
    await removeEntries(senders.notspam);
  });

  it('"Spam" on two messages: spamd learns two spams; asked again, it learns nothing and the toast says they had already been learned', async () => {
    const before = await bayesCounts();
    let page = await selectBothAndOpenMore('learn');
    await w(page).getByRole('menu', { name: 'More' }).getByRole('menuitem', { name: 'Spam', exact: true }).click();
    await expect.poll(() => w(page).locator('[data-aq-status]').textContent(), { timeout: 60_000 }).toBe('2 learned as spam');
    expect((await bayesCounts()).nspam).toBe(before.nspam + 2);
    await page.close();

    page = await selectBothAndOpenMore('learn');
    await w(page).getByRole('menu', { name: 'More' }).getByRole('menuitem', { name: 'Spam', exact: true }).click();
    await expect.poll(() => w(page).locator('[data-aq-status]').textContent(), { timeout: 60_000 }).toBe('2 had already been learned');
    expect((await bayesCounts()).nspam).toBe(before.nspam + 2);
    await page.close();
  });

  it('"Block sender" on two messages: amavisd then holds both senders\u2019 ordinary mail for alice, and delivers it to bob', async () => {
    const page = await selectBothAndOpenMore('block');
    await w(page).getByRole('menu', { name: 'More' }).getByRole('menuitem', { name: 'Block sender' }).click();
    await expect.poll(() => w(page).locator('[data-aq-status]').textContent(), { timeout: 30_000 }).toBe('2 senders blocked');
    await page.close();

    const alice = await signedIn(h.api.url, USERS.alice.email, USERS.alice.password);
    for (const [i, from] of senders.block.entries()) {
      const next = `Bulk extras ${run} minutes ${i}`;
      await sendThroughAmavis(h.api.context, { to: [USERS.alice.email, USERS.bob.email], from, subject: next, body: 'Hello,\n\nthe minutes are attached.\n' });
      expect(await waitForInbox(USERS.bob, 'subject', next)).toHaveLength(1);
      expect(await inboxMessages(USERS.alice, 'subject', next)).toEqual([]);
      const held = await bodyOf<QuarantineListResponse>(await alice.get(`/messages?q=${encodeURIComponent(`${run} minutes ${i}`)}`));
      expect(held.items.map((item) => item.subject)).toEqual([next]);
    }
    await removeEntries(senders.block);
  });

  it.each(SIZES_AND_MODES)('fits at %s width in %s mode with the menu open, and axe finds nothing serious (screenshots)', async (size, mode) => {
    const viewport = VIEWPORTS[size];
    const page = await selectBothAndOpenMore('look', viewport, mode === 'dark');
    const box = (await w(page).getByRole('menu', { name: 'More' }).boundingBox())!;
    expect(box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    await page.screenshot({ path: path.join(ARTIFACTS, `bulk-menu-${size}-${mode}.png`) });
    const report = await axeWidget(page);
    expect(seriousFindings(report).map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' | ')}`)).toEqual([]);
    await page.close();
  });
});
