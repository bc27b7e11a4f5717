import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { hostPageHtml, startHostServer } from '../support/host-page';
import { inboxMessages, waitForInbox } from '../support/mailbox';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { stackEnv } from '../support/stack';
import { startTcpProxy, throughProxy, type TcpProxy } from '../support/tcp-proxy';
import { searchFor, SIZES_AND_MODES, submitSignIn } from '../support/widget-harness';

// Split so that this file does not trip a virus scanner; the stack's scanner reports it as Eicar-Test-Signature.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$' + 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
/** The WCAG contrast ratio of two computed rgb() colours. */
const contrast = (...colours: string[]) => {
  const [a, b] = colours.map((c) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).map((v) => Number(v) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  });
  return (Math.max(a!, b!) + 0.05) / (Math.min(a!, b!) + 0.05);
};
const PHISH_URL = 'https://login.paypal.example.net/verify';

// What the widget does before, during and after an action, in real Chromium against the real stack: a
// virus or a phishing mail is released only after a confirmation that names the risk; links in a body are
// inert; a bulk action shows progress and is sent once however often it is clicked; focus lands on the
// next row after d; errors read in the page's language.
describe('actions and safety in the widget, in Chromium', () => {
  let api: TestServer;
  let faulty: TestServer;
  let pdp: TcpProxy;
  let host: Awaited<ReturnType<typeof startHostServer>>;
  let browser: Browser;
  const run = Math.random().toString(36).slice(2, 8);
  const subjects = { virus: `Safety virus ${run}`, phish: `Safety phish ${run}`, bulk: `Safety bulk ${run}`, keys: `Safety keys ${run}`, fault: `Safety fault ${run}` };
  const BULK = 12;

  beforeAll(async () => {
    const urls = { api: '', faulty: '' };
    host = await startHostServer((url) => {
      const base = url.searchParams.has('faulty') ? urls.faulty : urls.api;
      return hostPageHtml({
        widgetUrl: `${base}/amavis-quarantine.js`,
        apiUrl: `${base}/api`,
        dark: url.searchParams.has('dark'),
        lang: url.searchParams.get('lang') ?? 'en',
      });
    });
    // Other tests' failed sign-ins from 127.0.0.1 (and earlier runs' here) must not lock this file's users out.
    const limits = { AQ_LOGIN_LIMIT_PER_IP: '1000', AQ_LOGIN_LIMIT_PER_ACCOUNT: '1000', AQ_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS: '1000' };
    api = await startTestServer({ ...ROLE_ENV, ...limits, AQ_ALLOWED_ORIGINS: host.origin });
    // A second server whose way to amavisd's AM.PDP port runs through a proxy the test closes: a real
    // refused connection, answered 503 amavis_unavailable.
    pdp = await startTcpProxy((({ hostname, port }) => ({ host: hostname, port: Number(port) }))(new URL(stackEnv().AQ_PDP)));
    faulty = await startTestServer({ ...ROLE_ENV, ...limits, AQ_ALLOWED_ORIGINS: host.origin, AQ_PDP: throughProxy(stackEnv().AQ_PDP, pdp) });
    [urls.api, urls.faulty] = [api.url, faulty.url];

    const alice = [USERS.alice.email];
    await sendThroughAmavis(api.context, { to: alice, subject: subjects.virus, body: `Open the attachment.\n\n${EICAR}\n` });
    await sendThroughAmavis(api.context, {
      to: alice,
      subject: subjects.phish,
      // The header From names PayPal; the envelope sender is someone else, and every sender check failed.
      headers: [
        'From: "PayPal Service" <service@paypal.example.net>',
        'Authentication-Results: mx.example.test; spf=fail smtp.mailfrom=sender.example.net; dkim=fail header.d=paypal.example.net; dmarc=fail header.from=paypal.example.net',
        'Content-Type: text/html; charset=utf-8',
      ],
      body: `<p>Your account is locked. <a href="${PHISH_URL}">Verify your account now</a>.</p><p>${GTUBE}</p>`,
    });
    for (let i = 0; i < BULK; i += 4)
      await Promise.all([0, 1, 2, 3].filter((j) => i + j < BULK).map((j) => sendThroughAmavis(api.context, { to: alice, subject: `${subjects.bulk} #${i + j}` })));
    for (const tag of ['a', 'b', 'c']) await sendThroughAmavis(api.context, { to: alice, subject: `${subjects.keys} ${tag}` });
    await sendThroughAmavis(api.context, {
      to: alice,
      subject: `${subjects.keys} banned`,
      body: 'Run it.',
      attachment: { name: 'setup.exe', content: 'MZ not really a program' },
    });
    for (const lang of ['de', 'fr']) await sendThroughAmavis(api.context, { to: alice, subject: `${subjects.fault} ${lang}` });
    browser = await launchChromium();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await faulty?.close();
    await pdp?.close().catch(() => undefined);
    await api?.close();
  });

  const w = (page: Page) => page.locator('amavis-quarantine');
  const activeItem = (page: Page) => page.evaluate(() => document.getElementById('aq')?.shadowRoot?.activeElement?.getAttribute('data-aq-item') ?? null);
  const activeText = (page: Page) => page.evaluate(() => document.getElementById('aq')?.shadowRoot?.activeElement?.textContent ?? null);

  async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await submitSignIn(page, user);
    await w(page).locator('section.aq-list').waitFor();
  }

  async function open(query = '', viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<Page> {
    const page = await browser.newPage({ viewport });
    await page.goto(`${host.origin}/${query}`);
    return page;
  }

  /** Searches and waits until the list has settled with only matching rows; returns their ids in order. */
  async function search(page: Page, text: string, rows: number): Promise<string[]> {
    await searchFor(page, text);
    await expect
      .poll(
        () =>
          page.evaluate((wanted) => {
            const root = document.getElementById('aq')?.shadowRoot;
            const found = [...(root?.querySelectorAll('[data-aq-item]') ?? [])];
            return root?.querySelector('section.aq-list')?.getAttribute('aria-busy') === 'false' && found.every((r) => r.textContent?.includes(wanted))
              ? found.length
              : -1;
          }, text),
        { timeout: 20_000 },
      )
      .toBe(rows);
    return w(page)
      .locator('[data-aq-item]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-aq-item') ?? ''));
  }

  async function openMessage(page: Page, subject: string): Promise<void> {
    await search(page, subject, 1);
    await w(page).locator('[data-aq-item]', { hasText: subject }).locator('.aq-item__subject').click();
    await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subject }).waitFor();
    await expect.poll(() => w(page).locator('section.aq-message').getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
  }

  it('asks before an admin releases a virus, names the risk, shows no spam score, and shows "Released" in place', async () => {
    const page = await open();
    await signIn(page, USERS.admin);
    await openMessage(page, subjects.virus);
    expect(await w(page).locator('.aq-why', { hasText: 'Why was it quarantined?' }).textContent()).not.toContain('Spam score');
    const release = w(page).locator('.aq-msg-bar [data-aq-action="release"]');
    // No one-click primary button for a virus.
    expect(await release.getAttribute('class')).not.toContain('aq-btn--primary');
    const top = await w(page).locator('section.aq-message').boundingBox();

    await release.click();
    const dialog = w(page).locator('[role="alertdialog"]');
    expect(await dialog.textContent()).toContain('It contains a virus');
    // The safe choice has the focus: Enter or Esc keeps the mail where it is.
    await expect.poll(() => activeText(page), { timeout: 10_000 }).toBe('Cancel');
    await page.screenshot({ path: path.join(ARTIFACTS, 'safety-virus-confirm-desktop-light.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await w(page).locator('section.aq-message').count()).toBe(1);
    expect(await activeText(page)).toBe('Release');
    expect(await inboxMessages(USERS.alice, 'subject', subjects.virus)).toEqual([]);

    await release.click();
    await dialog.locator('[data-aq-confirm-yes]').click();
    await w(page).locator('[data-aq-status="success"]', { hasText: 'Message released' }).waitFor({ timeout: 30_000 });
    // The open message shows its new state; the status line pushed nothing down.
    await w(page).locator('.aq-msg-bar [data-aq-state="released"]', { hasText: 'Released' }).waitFor();
    expect((await w(page).locator('section.aq-message').boundingBox())?.y).toBe(top?.y);
    expect(await waitForInbox(USERS.alice, 'subject', subjects.virus, (text) => text.includes('EICAR'))).toHaveLength(1);
    // The status belongs to the message view: back in the list it is gone.
    await page.keyboard.press('Escape');
    await w(page).locator('section.aq-list').waitFor();
    expect(await w(page).locator('[data-aq-status]').count()).toBe(0);
    await page.close();
  });

  it.each(SIZES_AND_MODES)('shows a phishing mail with inert links and asks before releasing it (%s, %s)', async (size, mode) => {
    const page = await open(mode === 'dark' ? '?dark' : '', VIEWPORTS[size]);
    await signIn(page, USERS.alice);
    // In the list, r on its row asks too: its From names another domain than its envelope sender.
    await search(page, subjects.phish, 1);
    await w(page).locator('[data-aq-item]', { hasText: subjects.phish }).focus();
    await page.keyboard.press('r');
    expect(await w(page).locator('[role="alertdialog"]').textContent()).toContain('It looks like phishing');
    await expect.poll(() => activeText(page), { timeout: 10_000 }).toBe('Cancel');
    await page.keyboard.press('Escape');
    await w(page).locator('[role="alertdialog"]').waitFor({ state: 'detached' });
    expect(await w(page).locator('[data-aq-item]', { hasText: subjects.phish }).getAttribute('class')).not.toContain('aq-item--released');
    await openMessage(page, subjects.phish);
    expect(await w(page).locator('.aq-why', { hasText: 'Why was it quarantined?' }).textContent()).toMatch(/SPF fail/i);
    const frame = w(page).locator('iframe.aq-body-frame');
    const body = frame.contentFrame();
    await body.locator('a', { hasText: 'Verify your account now' }).waitFor();
    // The link is visible with its target, and cannot be followed: no href, and a sandbox without popups.
    expect(await body.locator('a[href]').count()).toBe(0);
    expect(await body.locator('a[data-aq-href]').getAttribute('data-aq-href')).toBe(PHISH_URL);
    // Its target reads well on the body, light and dark: 4.5:1 or more (#555 on the dark body was 2:1).
    const [target, background] = await body
      .locator('a[data-aq-href]')
      .evaluate((a) => [getComputedStyle(a, '::after').color, getComputedStyle(a.ownerDocument.body).backgroundColor]);
    expect(contrast(target, background)).toBeGreaterThanOrEqual(4.5);
    expect(await frame.getAttribute('sandbox')).toBe('');
    await body.locator('a', { hasText: 'Verify your account now' }).click();
    expect(page.context().pages()).toHaveLength(1);
    await page.screenshot({ path: path.join(ARTIFACTS, `safety-phish-message-${size}-${mode}.png`), fullPage: true });

    await w(page).locator('.aq-msg-bar [data-aq-action="release"]').click();
    const dialog = w(page).locator('[role="alertdialog"]');
    expect(await dialog.textContent()).toContain('It looks like phishing');
    await page.screenshot({ path: path.join(ARTIFACTS, `safety-phish-confirm-${size}-${mode}.png`) });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Links work only once the user chose so, for this message.
    await w(page).getByRole('button', { name: 'Enable links' }).click();
    await expect.poll(() => body.locator(`a[href="${PHISH_URL}"]`).count(), { timeout: 10_000 }).toBe(1);
    expect(await frame.getAttribute('sandbox')).toContain('allow-popups');
    expect(await frame.getAttribute('sandbox')).not.toContain('allow-scripts');
    await page.close();
  });

  it('shows a bulk release\u2019s progress, sends it once however often it is clicked, and asks before a bulk delete', async () => {
    const page = await open();
    const batches: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/messages/batch') && batches.push(r.url()));
    await signIn(page, USERS.alice);
    const ids = await search(page, subjects.bulk, BULK);
    // Every text the bulk bar shows while the batch runs.
    await w(page)
      .locator('.aq-bulk')
      .evaluate((bar) => {
        const seen: string[] = [];
        (window as unknown as { aqSeen: string[] }).aqSeen = seen;
        new MutationObserver(() => seen.push(bar.textContent ?? '')).observe(bar, { subtree: true, childList: true, characterData: true });
      });
    await w(page).getByRole('checkbox', { name: 'Select all' }).check();
    // Two clicks before the widget could draw anything: the second must send nothing.
    await w(page)
      .locator('.aq-bulk [data-aq-action="release"]')
      .evaluate((button: HTMLElement) => {
        button.click();
        button.click();
      });
    await w(page)
      .locator('[data-aq-status="success"]', { hasText: `${BULK} released` })
      .waitFor({ timeout: 60_000 });
    expect(batches).toHaveLength(1);
    const seen = await page.evaluate(() => (window as unknown as { aqSeen: string[] }).aqSeen);
    expect(seen.some((text) => new RegExp(`\\d+ of ${BULK}`).test(text))).toBe(true);
    // Each row says what happened to it, in place.
    for (const id of ids) expect(await w(page).locator(`[data-aq-item="${id}"]`).getAttribute('class')).toContain('aq-item--released');
    await expect.poll(async () => (await inboxMessages(USERS.alice, 'subject', subjects.bulk)).length, { timeout: 60_000 }).toBe(BULK);

    await w(page).getByRole('checkbox', { name: 'Select all' }).check();
    await w(page).locator('.aq-bulk [data-aq-action="delete"]').click();
    const dialog = w(page).locator('[role="alertdialog"]');
    expect(await dialog.textContent()).toContain(`Delete ${BULK} messages?`);
    await dialog.locator('[data-aq-confirm-yes]').evaluate((button: HTMLElement) => {
      button.click();
      button.click();
    });
    await w(page)
      .locator('[data-aq-status="success"]', { hasText: `${BULK} deleted` })
      .waitFor({ timeout: 60_000 });
    expect(batches).toHaveLength(2);
    for (const id of ids) expect(await w(page).locator(`[data-aq-item="${id}"]`).getAttribute('class')).toContain('aq-item--deleted');
    // The server agrees: a fresh search finds none of them.
    await search(page, subjects.bulk, 0);
    await page.close();
  });

  it('keeps the keyboard going: after d the next row has the focus, j/k/Enter work, q requests, focus returns after each action', async () => {
    const page = await open();
    await signIn(page, USERS.alice);
    expect(await w(page).locator('#aq-keys').textContent()).toMatch(/q requests release/);
    const ids = await search(page, subjects.keys, 4);
    await page.keyboard.press('ArrowDown');
    expect(await activeItem(page)).toBe(ids[0]);
    const banned = w(page).locator('[data-aq-item]', { hasText: 'banned' });
    const bannedIndex = ids.indexOf((await banned.getAttribute('data-aq-item')) ?? '');
    // Start from a row that is not the banned one, so that d has a next row.
    if (bannedIndex === 0) await page.keyboard.press('j');
    const current = (await activeItem(page))!;
    const next = ids[ids.indexOf(current) + 1]!;
    await page.keyboard.press('d');
    await w(page).locator(`[data-aq-item="${current}"].aq-item--deleted`).waitFor();
    await expect.poll(() => activeItem(page), { timeout: 10_000 }).toBe(next);
    expect(await w(page).locator('[data-aq-status="success"]').textContent()).toBe('Message deleted.');

    // q on the banned mail asks an admin (alice may not release it herself).
    await page.keyboard.press('Home');
    for (let i = 0; i < bannedIndex; i++) await page.keyboard.press('j');
    expect(await activeItem(page)).toBe(ids[bannedIndex]);
    await page.keyboard.press('q');
    await w(page).locator(`[data-aq-item="${ids[bannedIndex]}"].aq-item--requested`).waitFor();
    expect(await activeItem(page)).toBe(ids[bannedIndex]);

    // Enter opens a spam mail, r releases it, focus stays in the view; Esc returns to the list, where the
    // released mail is no longer open: focus is on a row, and j/k go on from there.
    const spam = ids.find((id, i) => i !== bannedIndex && id !== current)!;
    await page.keyboard.press('Home');
    while ((await activeItem(page)) !== spam) await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await w(page).locator('section.aq-message .aq-msg-subject').waitFor();
    await expect.poll(() => activeText(page), { timeout: 10_000 }).toContain('Back to the list');
    await page.keyboard.press('r');
    await w(page).locator('.aq-msg-bar [data-aq-state="released"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => activeText(page), { timeout: 10_000 }).toContain('Back to the list');
    await page.keyboard.press('Escape');
    await expect.poll(() => activeItem(page), { timeout: 10_000 }).not.toBeNull();
    const back = await activeItem(page);
    expect(back).not.toBe(spam);
    const rows = await w(page)
      .locator('[data-aq-item]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-aq-item')));
    await page.keyboard.press('End');
    expect(await activeItem(page)).toBe(rows.at(-1));
    await page.keyboard.press('k');
    expect(await activeItem(page)).toBe(rows.at(-2));
    await page.close();
  });

  it.each([
    ['de', 'Falsche E-Mail-Adresse oder falsches Passwort.', 'Der Mailfilter ist nicht erreichbar.', 'Freigeben'],
    ['fr', 'Adresse e-mail ou mot de passe incorrect.', 'Le filtre de messagerie est injoignable.', 'Libérer'],
  ] as const)('says what went wrong in the page\u2019s language (%s): a wrong password, amavisd unreachable', async (lang, wrongPassword, unreachable, releaseLabel) => {
    await pdp.close().catch(() => undefined);
    const page = await open(`?faulty&lang=${lang}`);
    // An account of this run's own: the answer is the same as for a wrong password, and alice's count stays clean.
    await submitSignIn(page, { email: `nobody-${run}@example.test`, password: 'not-a-password' });
    await w(page).locator('#aq-signin-error', { hasText: wrongPassword }).waitFor();
    await signIn(page, USERS.alice);
    // A mail of its own per language: the other language's refused release leaves nothing behind to wait for.
    await openMessage(page, `${subjects.fault} ${lang}`);
    await w(page).locator('.aq-msg-bar [data-aq-action="release"]', { hasText: releaseLabel }).click();
    await w(page).locator('[data-aq-status="error"]', { hasText: unreachable }).waitFor({ timeout: 30_000 });
    // Nothing was released, and the message still offers its release.
    expect(await w(page).locator('.aq-msg-bar [data-aq-action="release"]').count()).toBe(1);
    expect(await inboxMessages(USERS.alice, 'subject', `${subjects.fault} ${lang}`)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, `safety-error-${lang}.png`) });
    await page.close();
  });
});
