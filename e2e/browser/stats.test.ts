import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatsResponse } from '../../shared/stats';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { axeWidget, seriousFindings } from '../support/axe';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { digestEnv, expectWidgetFits, openAs, SIZES_AND_MODES, widgetHarness } from '../support/widget-harness';

const CHART = 'Quarantined mail per day, by type';

// The Statistics screen and the digest frequency as alice and her domain's admin see them, in Chromium:
// the chart of the real rollup (mail sent through amavisd first), the same numbers in the table, the
// admin's choice of scope with the top lists; and alice's digest frequency saved and still there after a reload.
describe('statistics and the digest setting, in Chromium', () => {
  // Digests are on (a mail server is configured) but this server's scheduler never sends one.
  const h = widgetHarness({
    env: () => ({ ...ROLE_ENV, ...digestEnv() }),
    setup: async (api) => {
      // Today has mail of two types for alice and bob, whatever ran before.
      await sendThroughAmavis(api.context, { to: [USERS.alice.email, USERS.bob.email], body: `Hello.\n\n${GTUBE}\n` });
      await sendThroughAmavis(api.context, { to: [USERS.alice.email], body: 'The invoice.\n', attachment: { name: 'invoice.exe', content: 'MZ not really a program' } });
      await api.context.listIndexer.runOnce();
    },
  });
  // alice's own frequency goes back to inheriting, whatever happened above (before the harness closes the
  // server: vitest runs afterAll hooks last registered first).
  afterAll(async () => {
    const res = await (await signedIn(h.api.url, USERS.alice.email, USERS.alice.password)).request('PUT', '/digest-settings', { frequency: null });
    if (!res.ok) throw new Error(`clearing alice's digest frequency failed: ${res.status} ${await res.text()}`);
  });
  const { w } = h;

  async function opens(user: { email: string; password: string }, tab: string, viewport: { width: number; height: number } = VIEWPORTS.desktop, dark = false) {
    const page = await openAs(h, { user, viewport, dark });
    await w(page).getByRole('button', { name: tab }).click();
    return page;
  }

  it('shows alice her own statistics: the chart, the totals and the same numbers in the table', async () => {
    const page = await opens(USERS.alice, 'Statistics');
    const chart = w(page).getByRole('img', { name: CHART });
    await chart.waitFor();
    const own = await bodyOf<StatsResponse>(await (await signedIn(h.api.url, USERS.alice.email, USERS.alice.password)).get('/stats?days=30'));
    const today = own.days.at(-1)!;
    expect(today.quarantined.spam).toBeGreaterThan(0);
    // One bar segment per type of each day with mail; the description says the period's totals.
    expect(await chart.locator('rect.aq-bar').count()).toBe(
      own.days.reduce(
        (n, d) => n + Object.values(d.quarantined).filter((v) => v > 0).length + (d.total > Object.values(d.quarantined).reduce((a, b) => a + b, 0) ? 1 : 0),
        0,
      ),
    );
    expect(await chart.locator('desc').textContent()).toContain(`Quarantined ${own.totals.quarantined}`);
    // Alice has no choice of scope, and no top lists.
    expect(await w(page).getByRole('combobox', { name: 'For' }).count()).toBe(0);
    expect(await w(page).getByRole('heading', { name: 'Top senders' }).count()).toBe(0);
    await w(page).getByText('Numbers per day').click();
    const row = w(page).getByRole('row', { name: new RegExp(`^${today.day}`) });
    expect(await row.getByRole('cell').allTextContents()).toContain(String(today.total));
    expect(await w(page).locator('table tbody tr').count()).toBe(30);
    await page.screenshot({ path: path.join(ARTIFACTS, 'stats-alice-table-desktop-light.png'), fullPage: true });
    await page.close();
  });

  it('gives the admin the choice of their domain, with the top senders and recipients', async () => {
    const page = await opens(USERS.admin, 'Statistics');
    await w(page).getByRole('img', { name: CHART }).waitFor();
    await w(page).getByRole('combobox', { name: 'For' }).selectOption('example.test');
    await w(page).getByRole('heading', { name: 'Top recipients' }).waitFor();
    expect(await w(page).locator('.aq-top').first().locator('li').count()).toBeGreaterThan(0);
    expect(await w(page).locator('.aq-top').nth(1).textContent()).toContain('alice@example.test');
    await w(page).getByRole('combobox', { name: 'Period' }).selectOption('7');
    await expect.poll(() => w(page).locator('table tbody tr').count(), { timeout: 20_000 }).toBe(7);
    await page.close();
  });

  it('lets a super user pick any domain by name, for the statistics and for the spam filter', async () => {
    await sendThroughAmavis(h.api.context, { to: [USERS.carol.email], body: `Hello.\n\n${GTUBE}\n` });
    await h.api.context.listIndexer.runOnce();
    const page = await opens(USERS.super, 'Statistics');
    await w(page).getByRole('img', { name: CHART }).waitFor();
    const forWhom = w(page).getByRole('combobox', { name: 'For' });
    await forWhom.selectOption({ label: 'Another domain…' });
    const domain = w(page).getByRole('textbox', { name: 'Domain' });
    // Focus goes to the box; what is no domain is refused in the form, and nothing is asked of the server.
    await expect.poll(() => domain.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await domain.fill('not a domain');
    await domain.press('Enter');
    await w(page).getByRole('alert').filter({ hasText: 'Enter a domain name such as example.org.' }).waitFor();
    await domain.fill('@Other.test');
    await domain.press('Enter');
    await w(page).getByRole('heading', { name: 'Top recipients' }).waitFor();
    expect(await forWhom.inputValue()).toBe('other.test');
    // other.test's lists hold carol's mail and nobody of example.test.
    await expect.poll(() => w(page).locator('.aq-top').nth(1).textContent(), { timeout: 20_000 }).toContain('carol@other.test');
    expect(await w(page).locator('.aq-top').nth(1).textContent()).not.toContain('@example.test');
    // The domain stays offered: back to everyone and to it again without typing.
    await forWhom.selectOption('site');
    await forWhom.selectOption('other.test');
    await w(page).getByRole('heading', { name: 'Top recipients' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'stats-super-domain-desktop-light.png'), fullPage: true });

    // The spam filter: other.test's policy, with the source of each value.
    await w(page).getByRole('button', { name: 'Spam filter' }).click();
    const policyFor = w(page).getByRole('combobox', { name: 'For' });
    await policyFor.selectOption({ label: 'Another domain…' });
    await w(page).getByRole('textbox', { name: 'Domain' }).fill('other.test');
    await w(page).getByRole('textbox', { name: 'Domain' }).press('Enter');
    expect(await policyFor.inputValue()).toBe('@other.test');
    await w(page).getByRole('form', { name: 'Spam filter' }).waitFor();
    await page.close();
  });

  it('saves alice\u2019s digest frequency, and it is still there after a reload', async () => {
    const page = await opens(USERS.alice, 'Spam filter');
    const digest = w(page).getByRole('form', { name: 'Quarantine digest' });
    await digest.getByRole('radio', { name: 'Weekly' }).check();
    await digest.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => digest.getByRole('status').textContent(), { timeout: 20_000 }).toBe('Saved.');
    expect(await digest.textContent()).toContain('Now: Weekly, set by you.');
    await page.reload();
    await w(page).getByRole('button', { name: 'Spam filter' }).click();
    const again = w(page).getByRole('form', { name: 'Quarantine digest' });
    await again.getByText('Now: Weekly, set by you.').waitFor();
    expect(await again.getByRole('radio', { name: 'Weekly' }).isChecked()).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'digest-alice-desktop-light.png'), fullPage: true });
    // Back to what her domain or the site sets.
    await again.getByRole('radio', { name: 'Use the default' }).check();
    await again.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => again.getByRole('status').textContent(), { timeout: 20_000 }).toBe('Saved.');
    expect(await again.textContent()).not.toContain('set by you');
    await page.close();
  });

  it.each(SIZES_AND_MODES)('looks right at %s width in %s mode', async (size, mode) => {
    for (const who of ['alice', 'admin'] as const) {
      const user = USERS[who];
      const page = await opens(user, 'Statistics', VIEWPORTS[size], mode === 'dark');
      await w(page).getByRole('img', { name: CHART }).waitFor();
      if (who === 'admin') {
        await w(page).getByRole('combobox', { name: 'For' }).selectOption('example.test');
        await w(page).getByRole('heading', { name: 'Top senders' }).waitFor();
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `stats-${who}-${size}-${mode}.png`), fullPage: true });
      // axe-core inside the shadow root, with the table open: no serious or critical finding.
      await w(page).getByText('Numbers per day').click();
      const report = await axeWidget(page);
      expect(report.shadowNodes).toBeGreaterThan(0);
      expect(seriousFindings(report)).toEqual([]);
      await expectWidgetFits(page, VIEWPORTS[size].width);
      if (who === 'admin') {
        await w(page).getByRole('button', { name: 'Spam filter' }).click();
        // The "For" choice of the spam filter sets whose digest default is shown: here the domain's.
        await w(page).getByRole('combobox', { name: 'For' }).selectOption('@example.test');
        const digest = w(page).getByRole('form', { name: 'Quarantine digest' });
        await digest.getByRole('radio', { name: 'Daily' }).waitFor();
        expect(await digest.getByRole('radio', { name: 'Daily' }).isEnabled()).toBe(true);
        await page.screenshot({ path: path.join(ARTIFACTS, `digest-admin-${size}-${mode}.png`), fullPage: true });
        expect(seriousFindings(await axeWidget(page))).toEqual([]);
      }
      await page.close();
    }
  });
});
