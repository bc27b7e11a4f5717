import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bodyOf, ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { axeWidget, seriousFindings } from '../support/axe';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { GTUBE, sendSpamAndBanned, sendThroughAmavis } from '../support/send-mail';
import { digestEnv, searchFor, submitSignIn, widgetHarness } from '../support/widget-harness';

// axe-core inside the widget's shadow root, on every screen, in light and dark, at desktop and phone
// widths: no serious or critical finding (WCAG 2.2 AA). The screens hold real mail sent through amavisd
// and a real release request. The list, a message, the requests and the audit log are also kept as
// screenshots (e2e/artifacts/a11y-*.png), to be looked at.
const LOOKS = [
  { name: 'desktop-light', viewport: VIEWPORTS.desktop, dark: false },
  { name: 'desktop-dark', viewport: VIEWPORTS.desktop, dark: true },
  { name: 'phone-light', viewport: VIEWPORTS.phone, dark: false },
  { name: 'phone-dark', viewport: VIEWPORTS.phone, dark: true },
] as const;
const SHOT = new Set(['list', 'message', 'requests', 'audit']);

describe('accessibility of every screen (axe-core in the shadow root), in Chromium', () => {
  const subject = `Accessible ${Math.random().toString(36).slice(2, 8)}`;

  const h = widgetHarness({
    env: () => ({ ...ROLE_ENV, ...digestEnv() }),
    setup: async (api) => {
      // A spam and a blocked attachment for alice; she asks for the attachment, so an admin has a request.
      await sendSpamAndBanned(api.context, [USERS.alice.email], { spam: subject, banned: `${subject} invoice` });
      const alice = await signedIn(api.url, USERS.alice.email, USERS.alice.password);
      const list = await bodyOf<{ items: Array<{ id: string; actions: string[] }> }>(
        await alice.request('GET', `/messages?q=${encodeURIComponent(`${subject} invoice`)}`),
      );
      const banned = list.items[0];
      if (banned?.actions.includes('request')) await alice.request('POST', `/messages/${encodeURIComponent(banned.id)}/request-release`, {});
    },
  });
  const { w } = h;

  /** Waits until the screen has loaded: nothing says "Loading…" and nothing is busy. */
  const settled = (page: Page) =>
    expect
      .poll(
        () =>
          page.evaluate(() => {
            const root = document.querySelector('amavis-quarantine')?.shadowRoot;
            return Boolean(root?.querySelector('.aq-root')) && !root?.querySelector('[aria-busy="true"]') && !/Loading…/.test(root?.textContent ?? '');
          }),
        { timeout: 20_000 },
      )
      .toBe(true);

  async function signIn(page: Page, user: { email: string; password: string }) {
    await submitSignIn(page, user);
    await w(page).locator('section.aq-list').waitFor();
  }

  const tab = (name: string) => async (page: Page) => {
    await w(page).locator('button.aq-tab', { hasText: name }).click();
  };

  /** Each screen: how to get there from anywhere in the signed-in widget. */
  const screens: Record<string, Array<[string, (page: Page) => Promise<void>]>> = {
    alice: [
      ['list', tab('Quarantine')],
      [
        'message',
        async (page) => {
          await tab('Quarantine')(page);
          await searchFor(page, subject);
          await w(page).locator('[data-aq-item]', { hasText: subject }).first().click();
          await w(page).locator('section.aq-message').waitFor();
        },
      ],
      ['sender-lists', tab('Sender lists')],
      ['spam-filter', tab('Spam filter')],
      ['statistics', tab('Statistics')],
    ],
    super: [
      ['requests', tab('Requests')],
      ['audit', tab('Audit log')],
    ],
  };

  async function check(page: Page, label: string, found: string[], shot?: string) {
    await settled(page);
    const report = await axeWidget(page);
    // axe saw the widget's own elements, not just the empty host element.
    expect(report.shadowNodes, label).toBeGreaterThan(10);
    for (const v of seriousFindings(report)) found.push(`${label}: ${v.impact} ${v.id} (${v.help}) ${v.nodes.map((n) => `${n.target} ${n.summary}`).join(' | ')}`);
    if (shot) await page.screenshot({ path: path.join(ARTIFACTS, `a11y-${shot}.png`) });
  }

  it('on a phone: filters wait behind a button, the first message is in sight, touch targets are 24 px or more', async () => {
    const page = await h.browser.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(h.host.origin);
    await signIn(page, USERS.alice);
    await settled(page);
    const toolbar = w(page).locator('form.aq-toolbar');
    // Search and the Filters button share one line; the selects and dates wait behind the button.
    expect((await toolbar.boundingBox())!.height).toBeLessThan(48);
    expect(await w(page).locator('select').first().isVisible()).toBe(false);
    const firstRow = (await w(page).locator('[data-aq-item]').first().boundingBox())!;
    expect(firstRow.y + firstRow.height).toBeLessThan(VIEWPORTS.phone.height);
    for (const target of [w(page).locator('[data-aq-item] input[type="checkbox"]').first(), w(page).locator('[data-aq-item] .aq-btn').first()]) {
      const box = (await target.boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
    }
    const toggle = w(page).locator('button.aq-filter-toggle');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await w(page).locator('select').first().waitFor({ state: 'visible' });
    // Every filter has a visible label (the dates too), and Reset is a touch target too. (A select's name
    // is its label and its chosen option, "Type All types": the label starts it.)
    for (const name of ['Type', 'Status', 'From', 'To', 'Sort'])
      expect(
        await w(page)
          .getByLabel(new RegExp(`^${name}`))
          .isVisible(),
        name,
      ).toBe(true);
    const reset = (await w(page).getByRole('button', { name: 'Reset' }).boundingBox())!;
    expect(Math.min(reset.width, reset.height)).toBeGreaterThanOrEqual(24);
    await page.screenshot({ path: path.join(ARTIFACTS, 'a11y-filters-phone-light.png') });
    // Esc closes them, with focus back on the button.
    await page.keyboard.press('Escape');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.querySelector('amavis-quarantine')?.shadowRoot?.activeElement?.className)).toContain('aq-filter-toggle');
    await page.close();
  });

  it('"Open" leaves released mail out; "All" shows it', async () => {
    const released = `Released ${Math.random().toString(36).slice(2, 8)}`;
    const id = (await sendThroughAmavis(h.api.context, { to: [USERS.alice.email], subject: released, body: `Hello.\n\n${GTUBE}\n` }))[USERS.alice.email]!;
    const alice = await signedIn(h.api.url, USERS.alice.email, USERS.alice.password);
    expect((await alice.request('POST', `/messages/${encodeURIComponent(id)}/release`, {})).status).toBe(200);
    const page = await h.browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(h.host.origin);
    await signIn(page, USERS.alice);
    await searchFor(page, released);
    await w(page).locator('.aq-empty').waitFor();
    await w(page).locator('button.aq-filter-toggle').click();
    await w(page).getByRole('combobox', { name: 'Status' }).selectOption('all');
    await w(page).locator('[data-aq-item]', { hasText: released }).locator('.aq-badge', { hasText: 'Released' }).waitFor();
    await page.close();
  });

  it('in dark mode, native controls are dark and a text body is not a white block', async () => {
    const page = await h.browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(`${h.host.origin}/?dark`);
    await signIn(page, USERS.alice);
    expect(
      await w(page)
        .locator('[data-aq-item] input[type="checkbox"]')
        .first()
        .evaluate((el) => getComputedStyle(el).colorScheme),
    ).toBe('dark');
    await searchFor(page, subject);
    await w(page).locator('[data-aq-item]', { hasText: subject }).first().click();
    await w(page).locator('iframe.aq-body-frame').waitFor();
    // The body's own document, as Chromium renders it (the frame is sandboxed, but the browser can look in).
    const bodyColour = () =>
      Promise.all(
        page
          .frames()
          .filter((f) => f.url() === 'about:srcdoc')
          .map((f) => f.evaluate(() => getComputedStyle(document.body).backgroundColor).catch(() => '')),
      ).then((c) => c.join());
    await expect.poll(bodyColour, { timeout: 10_000 }).toBe('rgb(33, 41, 44)');
    await page.screenshot({ path: path.join(ARTIFACTS, 'a11y-body-dark.png') });
    // Back to light: the body follows.
    await page.evaluate(() => document.documentElement.classList.remove('dark-mode'));
    await expect.poll(bodyColour, { timeout: 10_000 }).toBe('rgb(255, 255, 255)');
    await page.close();
  });

  for (const look of LOOKS) {
    it(`no serious or critical findings, ${look.name}`, async () => {
      const found: string[] = [];
      const page = await h.browser.newPage({ viewport: look.viewport });
      await page.goto(`${h.host.origin}/${look.dark ? '?dark' : ''}`);
      await w(page).locator('form.aq-signin').waitFor();
      await check(page, `sign-in ${look.name}`, found);
      for (const [user, visits] of Object.entries(screens)) {
        if (user !== 'alice') {
          await w(page).getByRole('button', { name: 'Sign out' }).click();
          await w(page).locator('form.aq-signin').waitFor();
        }
        await signIn(page, USERS[user as keyof typeof USERS]);
        for (const [screen, visit] of visits) {
          await visit(page);
          await check(page, `${screen} ${look.name}`, found, SHOT.has(screen) ? `${screen}-${look.name}` : undefined);
        }
        if (user === 'super') {
          await tab('Quarantine')(page);
          await check(page, `list (admin) ${look.name}`, found, `list-admin-${look.name}`);
        }
      }
      await page.close();
      expect(found).toEqual([]);
    });
  }
});
