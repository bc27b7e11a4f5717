import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { hostPageHtml, startHostServer } from '../support/host-page';
import { waitForInbox } from '../support/mailbox';
import { GTUBE, sendThroughAmavis } from '../support/send-mail';
import { startTestServer, type TestServer } from '../support/server';
import { stackEnv } from '../support/stack';
import { screenshotLooks, searchFor, submitSignIn } from '../support/widget-harness';

// The main journey, in real Chromium, against the real stack: a webmail-like page with hostile CSS
// embeds the widget by script tag; alice releases a spam, bob's copy stays, an admin approves a request
// for a banned attachment. Once with the mouse in light mode and English, once with the keyboard alone
// in dark mode and German.
const variants = [
  {
    name: 'mouse, light, en',
    keyboard: false,
    dark: false,
    lang: 'en',
    text: {
      spam: 'Spam',
      allTypes: 'All types',
      released: 'Message released',
      requested: 'Release requested',
      request: 'Request release',
      requests: 'Requests',
      approve: 'Approve',
      approved: 'Request approved',
      risk: 'blocked attachment',
    },
  },
  {
    name: 'keyboard, dark, de',
    keyboard: true,
    dark: true,
    lang: 'de',
    text: {
      spam: 'Spam',
      allTypes: 'Alle Arten',
      released: 'Nachricht freigegeben',
      requested: 'Freigabe angefordert',
      request: 'Freigabe anfordern',
      requests: 'Anfragen',
      approve: 'Genehmigen',
      approved: 'Anfrage genehmigt',
      risk: 'gesperrten Anhang',
    },
  },
];
type Variant = (typeof variants)[number];

describe('the quarantine in a webmail page, in Chromium', () => {
  let api: TestServer;
  let host: Awaited<ReturnType<typeof startHostServer>>;
  let browser: Browser;

  beforeAll(async () => {
    let apiUrl = '';
    host = await startHostServer((url) =>
      hostPageHtml({
        widgetUrl: `${apiUrl}/amavis-quarantine.js`,
        apiUrl: `${apiUrl}/api`,
        // The journey runs on a page with hostile CSS; the look is judged on a well-behaved one.
        hostile: !url.searchParams.has('clean'),
        dark: url.searchParams.has('dark'),
        lang: url.searchParams.get('lang') ?? 'en',
      }),
    );
    api = await startTestServer({
      ...ROLE_ENV,
      AQ_ALLOWED_ORIGINS: host.origin,
      AQ_SMTP_URL: `lmtp://127.0.0.1:${stackEnv().AQ_LMTP_PORT}`,
      AQ_SMTP_CA_FILE: stackEnv().AQ_IMAP_CA_FILE,
      AQ_NOTIFY_DELAY_MS: '100',
      // 'returns to sign-in' ends a session by deleting its row: without the session cache, the widget's
      // very next request sees that, as it would see an idle or absolute timeout.
      AQ_SESSION_CACHE_MS: '0',
    });
    apiUrl = api.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  const w = (page: Page) => page.locator('amavis-quarantine');

  async function open(variant: Variant, viewport: { width: number; height: number } = VIEWPORTS.desktop, clean = false): Promise<Page> {
    const page = await browser.newPage({ viewport });
    await page.goto(`${host.origin}/?lang=${variant.lang}${variant.dark ? '&dark' : ''}${clean ? '&clean' : ''}`);
    await w(page).locator('form.aq-signin').waitFor();
    return page;
  }

  async function signIn(page: Page, user: { email: string; password: string }, keyboard: boolean): Promise<void> {
    if (keyboard) {
      // The username field has autofocus; Tab moves to the password; Enter submits.
      await w(page).locator('input[name="username"]').focus();
      await page.keyboard.type(user.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(user.password);
      await page.keyboard.press('Enter');
      // After sign-in the widget moves focus to the search box once the list is in: a keyboard user
      // starts from there.
      await w(page).locator('input[type="search"]:focus').waitFor();
    } else {
      await submitSignIn(page, user);
    }
    await w(page).locator('section.aq-list').waitFor();
  }

  async function search(page: Page, text: string, keyboard: boolean): Promise<void> {
    if (keyboard) {
      // `/` jumps to the search box; typed inside it, it would just be a character of the query.
      const inSearch = await page.evaluate(() => (document.getElementById('aq')?.shadowRoot?.activeElement as HTMLInputElement | null)?.type === 'search');
      await page.keyboard.press(inSearch ? 'Control+A' : '/');
      if (!inSearch) await page.keyboard.press('Control+A');
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    } else {
      await searchFor(page, text);
    }
    // As a user would, wait for the results: the list has settled and every row matches.
    await expect
      .poll(
        () =>
          page.evaluate((wanted) => {
            const root = document.getElementById('aq')?.shadowRoot;
            const rows = [...(root?.querySelectorAll('[data-aq-item]') ?? [])];
            return root?.querySelector('section.aq-list')?.getAttribute('aria-busy') === 'false' && rows.length > 0 && rows.every((r) => r.textContent?.includes(wanted));
          }, text),
        // expect.poll gives up after 1 s by default: too short for a search on a loaded CI machine.
        { timeout: 20_000 },
      )
      .toBe(true);
  }

  for (const variant of variants) {
    it(`alice releases her spam, bob's copy stays, an admin approves a banned attachment (${variant.name})`, async () => {
      const subject = `Journey ${variant.lang} ${Math.random().toString(36).slice(2, 8)}`;
      await sendThroughAmavis(api.context, { to: ['alice@example.test', 'bob@example.test'], subject });
      const bannedSubject = `Invoice ${variant.lang} ${Math.random().toString(36).slice(2, 8)}`;
      await sendThroughAmavis(api.context, {
        to: ['alice@example.test'],
        subject: bannedSubject,
        body: 'Please pay the attached invoice.',
        attachment: { name: 'invoice.exe', content: 'MZ not really a program' },
      });

      const page = await open(variant);
      await signIn(page, USERS.alice, variant.keyboard);

      // Filter to spam, find the message, open it.
      if (variant.keyboard) {
        // From the search box, Tab reaches the Filters button, Enter opens them, Tab the type filter;
        // typing an option's name picks it; Esc closes them (on the button), Shift+Tab is the search again.
        await page.keyboard.press('/');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        await page.keyboard.type(variant.text.spam);
        await page.keyboard.press('Escape');
        await page.keyboard.press('Shift+Tab');
      } else {
        await w(page).locator('button.aq-filter-toggle').click();
        await w(page).locator('select').first().selectOption('spam');
        await w(page).locator('button.aq-filter-toggle').click();
      }
      await search(page, subject, variant.keyboard);
      const row = w(page).locator('[data-aq-item]', { hasText: subject });
      await row.waitFor();
      expect(await w(page).locator('select').first().inputValue()).toBe('spam');
      await page.screenshot({ path: path.join(ARTIFACTS, `journey-list-${variant.lang}.png`) });
      if (variant.keyboard) {
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
      } else {
        await row.click();
      }
      await w(page).locator('section.aq-message .aq-msg-subject', { hasText: subject }).waitFor();
      expect(await w(page).locator('.aq-why').textContent()).toContain('GTUBE');
      await page.screenshot({ path: path.join(ARTIFACTS, `journey-message-${variant.lang}.png`), fullPage: true });

      // Release it: the widget says so, and the mail is in alice's INBOX (read over IMAP).
      if (variant.keyboard) await page.keyboard.press('r');
      else await w(page).locator('section.aq-message [data-aq-action="release"]').click();
      await w(page).locator('[data-aq-status="success"]', { hasText: variant.text.released }).waitFor();
      expect(await waitForInbox(USERS.alice, 'subject', subject, (text) => text.includes(GTUBE))).toHaveLength(1);

      // Back to the list (alice's copy is marked Released there, or has left the 'Open' mail after a reload);
      // bob's list is unchanged.
      if (variant.keyboard) await page.keyboard.press('Escape');
      else await w(page).locator('button.aq-back').click();
      await w(page).locator('section.aq-list').waitFor();
      const bob = await open(variant);
      await signIn(bob, USERS.bob, variant.keyboard);
      await search(bob, subject, variant.keyboard);
      const bobsRow = w(bob).locator('[data-aq-item]', { hasText: subject });
      await bobsRow.waitFor();
      expect(await bobsRow.getAttribute('class')).toContain('aq-item--new');
      expect(await waitForInbox(USERS.bob, 'subject', subject, () => true, 500)).toEqual([]);
      await bob.close();

      // The banned attachment is released by request: alice asks, the admin approves. The list kept
      // its Spam filter across the message: back to all types first.
      if (variant.keyboard) {
        // The released mail has left the 'Open' list, which is now empty: focus is in the search box.
        await w(page).locator('input[type="search"]:focus').waitFor();
        await page.keyboard.press('/');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Enter');
        await page.keyboard.press('Tab');
        await page.keyboard.type(variant.text.allTypes);
        await page.keyboard.press('Escape');
        await page.keyboard.press('Shift+Tab');
      } else {
        await w(page).locator('button.aq-filter-toggle').click();
        await w(page).locator('select').first().selectOption('');
        await w(page).locator('button.aq-filter-toggle').click();
      }
      await search(page, bannedSubject, variant.keyboard);
      const banned = w(page).locator('[data-aq-item]', { hasText: bannedSubject });
      await banned.waitFor();
      if (variant.keyboard) {
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
      } else {
        await banned.click();
      }
      await w(page).locator('section.aq-message .aq-msg-subject', { hasText: bannedSubject }).waitFor();
      expect(await w(page).locator('.aq-why').textContent()).toMatch(/invoice\.exe/);
      if (variant.keyboard) await page.keyboard.press('q');
      else await w(page).locator('section.aq-message button', { hasText: variant.text.request }).click();
      await w(page).locator('[data-aq-status="success"]', { hasText: variant.text.requested }).waitFor();
      await page.close();

      const admin = await open(variant);
      await signIn(admin, USERS.admin, variant.keyboard);
      await w(admin).locator('button.aq-tab', { hasText: variant.text.requests }).click();
      const request = w(admin).locator('[data-aq-request]', { hasText: bannedSubject });
      await request.waitFor();
      await admin.screenshot({ path: path.join(ARTIFACTS, `journey-requests-${variant.lang}.png`) });
      await request.locator('button', { hasText: variant.text.approve }).click();
      // A blocked program: the approval names the risk and waits for a deliberate second step.
      const confirm = w(admin).locator('[data-aq-confirm]');
      await confirm.waitFor();
      expect(await confirm.textContent()).toContain(variant.text.risk);
      if (variant.keyboard) {
        // The focus starts on Cancel; Shift+Tab or Tab reaches the confirmation's own button.
        await confirm.locator('[data-aq-confirm-yes]').focus();
        await admin.keyboard.press('Enter');
      } else await confirm.locator('[data-aq-confirm-yes]').click();
      await w(admin).locator('[data-aq-status="success"]', { hasText: variant.text.approved }).waitFor();
      expect(await waitForInbox(USERS.alice, 'subject', bannedSubject, (text) => text.includes('Please pay'))).toHaveLength(1);
      await admin.close();
    });
  }

  it('says plainly when the password is wrong', async () => {
    const page = await open(variants[0]!);
    await submitSignIn(page, { email: 'alice@example.test', password: 'not-her-password' });
    await w(page).locator('#aq-signin-error', { hasText: 'wrong e-mail address or password' }).waitFor();
    expect(await w(page).locator('section.aq-list').count()).toBe(0);
    await page.close();
  });

  it('shows admins everyone\u2019s quarantine of their domain, with a recipient column', async () => {
    const page = await open(variants[0]!);
    await signIn(page, USERS.admin, false);
    await search(page, 'Seed spam multi', false);
    await w(page).locator('[data-aq-item]').first().waitFor();
    const recipients = await w(page).locator('.aq-item__rcpt').allTextContents();
    expect(new Set(recipients)).toEqual(new Set(['alice@example.test', 'bob@example.test']));
    await page.close();
  });

  it('returns to sign-in when the session has ended', async () => {
    const page = await open(variants[0]!);
    await signIn(page, USERS.alice, false);
    // No request in flight when the session ends: the first list load, answered after the row is gone,
    // would show the sign-in form before the filter below is touched (and the filter would be gone).
    await w(page).locator('section.aq-list[aria-busy="false"]').waitFor();
    // End the session on the server, as an idle or absolute timeout does (clearing the browser's cookie
    // would race a response in flight that sets it again: sessions are rolling).
    const cookie = (await page.context().cookies()).find((c) => c.name === 'aq_session');
    const sid = decodeURIComponent(cookie?.value ?? '')
      .replace(/^s:/, '')
      .split('.')[0];
    expect(await api.context.appModels.Session.destroy({ where: { sid } })).toBe(1);
    await w(page).locator('button.aq-filter-toggle').click();
    await w(page).locator('select').first().selectOption('virus');
    await w(page).locator('form.aq-signin .aq-status--info').waitFor();
    await page.close();
  });

  it.each([
    ['desktop', 'light'],
    ['desktop', 'dark'],
    ['tablet', 'light'],
    ['phone', 'light'],
    ['phone', 'dark'],
  ] as const)('looks right at %s width in %s mode (screenshots of the list and a message)', async (size, mode) => {
    const variant: Variant = { ...variants[0]!, dark: mode === 'dark' };
    const page = await open(variant, VIEWPORTS[size], true);
    await signIn(page, USERS.alice, false);
    await w(page).locator('[data-aq-item]').first().waitFor();
    await screenshotLooks(page, 'list', size, mode);
    await search(page, 'Seed banned attachment', false);
    await w(page).locator('[data-aq-item]').first().click();
    await w(page).locator('section.aq-message .aq-attachments').waitFor();
    // The body is in its own (sandboxed) document: wait until it has rendered.
    await w(page).locator('iframe.aq-body-frame').contentFrame().locator('pre, body > *').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `message-${size}-${mode}.png`), fullPage: true });
    await page.close();
  });
});
