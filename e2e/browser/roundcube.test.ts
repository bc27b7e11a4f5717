import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantineListResponse } from '../../shared/quarantine';
import { ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { axeWidget, seriousFindings } from '../support/axe';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { startTestServer, type TestServer } from '../support/server';
import { ROOT } from '../support/stack';

const run = promisify(execFile);
const ROUNDCUBE_PORT = process.env.ROUNDCUBE_PORT ?? '10088';
const ROUNDCUBE = `http://127.0.0.1:${ROUNDCUBE_PORT}`;

/** The browser's quarantine session cookie ("aq_session=…"), as a Cookie header. */
async function quarantineCookie(page: Page, apiUrl: string): Promise<string> {
  const cookie = (await page.context().cookies(apiUrl)).find((c) => c.name === 'aq_session');
  expect(cookie, 'the browser has a quarantine session').toBeDefined();
  return `aq_session=${cookie?.value ?? ''}`;
}

/** What GET /api/session answers to a cookie (from outside the browser). */
async function sessionStatus(apiUrl: string, cookie: string): Promise<number> {
  return (await fetch(`${apiUrl}/api/session`, { headers: { Cookie: cookie } })).status;
}

/** Logs out of Roundcube from the taskbar; its login page then ends the quarantine session (signout.js). */
/**
 * Waits until Roundcube's client has started (rcmail.init() sets rcmail.loaded last): before that, the
 * taskbar's links are dead (their handler is rcmail.command), and a click on Quarantine does nothing.
 */
async function roundcubeReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { rcmail?: { loaded?: boolean } }).rcmail?.loaded === true);
}

async function logOutOfRoundcube(page: Page, apiUrl: string): Promise<void> {
  const signedOut = page.waitForResponse((r) => r.url() === `${apiUrl}/api/session` && r.request().method() === 'DELETE');
  await roundcubeReady(page);
  await page.locator('#taskmenu a.logout').click();
  await page.locator('#rcmloginuser').waitFor();
  expect((await signedOut).status()).toBe(204);
}

// The Roundcube plugin in a real Roundcube 1.6 (Debian's packages, e2e/stack/roundcube.sh), signing in
// over IMAP to the stack's Dovecot: the user signs in to Roundcube once, opens Quarantine in the
// taskbar, and the widget signs in by the plugin's single sign-on token, never asking for the password.
describe('the quarantine in Roundcube, signed in by single sign-on', () => {
  let api: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    const secret = randomBytes(32).toString('hex');
    api = await startTestServer({ ...ROLE_ENV, AQ_SSO_SECRET: secret, AQ_ALLOWED_ORIGINS: ROUNDCUBE });
    // Installs Roundcube when it is missing, (re)writes the plugin's settings for this API server, and
    // starts Roundcube or keeps the one that runs.
    await run('bash', [path.join(ROOT, 'e2e/stack/roundcube.sh'), 'up'], {
      env: { ...process.env, AMAVIS_QUARANTINE_URL: api.url, AQ_SSO_SECRET: secret, ROUNDCUBE_PORT },
      timeout: 280_000,
    });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const widget = (page: Page) => page.locator('amavis-quarantine');

  /**
   * Signs in on Roundcube's own login form and waits for the mail view. Not for the page's load event:
   * it waits for every subresource, and one slow request (seen once in 30 s runs) failed the test while
   * Roundcube had long shown the mail view.
   */
  async function signInToRoundcube(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${ROUNDCUBE}/?_task=login`);
    await page.locator('#rcmloginuser').fill(user.email);
    await page.locator('#rcmloginpwd').fill(user.password);
    await page.locator('#rcmloginsubmit').click();
    await page.waitForURL(/_task=mail/, { waitUntil: 'domcontentloaded' });
    await page.locator('#messagelist').waitFor();
    await roundcubeReady(page);
  }

  /** Clicks Quarantine in the taskbar and waits until the widget shows the list. */
  async function openQuarantine(page: Page): Promise<void> {
    await page.locator('#taskmenu a.quarantine').click();
    await page.waitForURL(/_task=quarantine/, { waitUntil: 'domcontentloaded' });
    await widget(page).locator('section.aq-list[aria-busy="false"]').waitFor();
  }

  /** Every call the page makes to the quarantine API, as "METHOD /path". */
  function apiCalls(page: Page): string[] {
    const calls: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === api.url) calls.push(`${request.method()} ${url.pathname}`);
    });
    return calls;
  }

  it('alice signs in to Roundcube, opens Quarantine and sees her quarantine without typing her password again', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    const calls = apiCalls(page);
    const complaints: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') complaints.push(message.text());
    });
    await signInToRoundcube(page, USERS.alice);

    // The entry is in the mail view's taskbar, labelled like Roundcube's own.
    const entry = page.locator('#taskmenu a.quarantine');
    expect((await entry.textContent())?.trim()).toBe('Quarantine');
    expect(await entry.getAttribute('href')).toContain('_task=quarantine');
    await openQuarantine(page);

    expect(await entry.getAttribute('class')).toMatch(/\bselected\b/);
    expect(await page.title()).toMatch(/Quarantine/);
    await expect.poll(() => widget(page).locator('[data-aq-item]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await widget(page).locator('form.aq-signin').count()).toBe(0);
    expect(await widget(page).locator('.aq-user').textContent()).toContain('alice@example.test');
    expect(calls).toContain('POST /api/session/sso');
    expect(calls).not.toContain('POST /api/session');
    expect(complaints.filter((text) => text.includes('amavis-quarantine'))).toEqual([]);

    // What she sees is her quarantine: the rows are the first rows of her own listing of open mail (the
    // widget's default leaves released mail out).
    const alice = await signedIn(api.url, USERS.alice.email, USERS.alice.password);
    const mine = (await (await alice.get('/messages?limit=100&status=new,viewed,requested')).json()) as QuarantineListResponse;
    const shown = await widget(page)
      .locator('[data-aq-item]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-aq-item')));
    expect(shown).toEqual(mine.items.slice(0, shown.length).map((item) => item.id));

    await page.screenshot({ path: path.join(ARTIFACTS, 'roundcube-quarantine.png') });

    // A reload brings a new token (each is accepted once) and the same quarantine.
    await page.reload();
    await widget(page).locator('section.aq-list[aria-busy="false"]').waitFor();
    expect(await widget(page).locator('.aq-user').textContent()).toContain('alice@example.test');
    expect(calls.filter((c) => c === 'POST /api/session/sso')).toHaveLength(2);
    await page.close();
  });

  it('follows the Roundcube user: after alice signs out and bob signs in, the widget is bob’s', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await signInToRoundcube(page, USERS.alice);
    await openQuarantine(page);
    expect(await widget(page).locator('.aq-user').textContent()).toContain('alice@example.test');

    const aliceCookie = await quarantineCookie(page, api.url);
    await logOutOfRoundcube(page, api.url);
    expect(await sessionStatus(api.url, aliceCookie)).toBe(401);
    // Had the sign-out not run, bob's token would still replace her session.
    await signInToRoundcube(page, USERS.bob);
    await openQuarantine(page);
    expect(await widget(page).locator('.aq-user').textContent()).toContain('bob@example.test');
    await page.close();
  });

  it('looks native in Elastic’s dark mode and on a phone', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    await context.addCookies([{ name: 'colorMode', value: 'dark', url: ROUNDCUBE }]);
    const page = await context.newPage();
    await signInToRoundcube(page, USERS.alice);
    // Roundcube's own mail view, to hold the quarantine's screenshots next to.
    await page.screenshot({ path: path.join(ARTIFACTS, 'roundcube-mail-dark.png') });
    await openQuarantine(page);
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark-mode'))).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'roundcube-quarantine-dark.png') });
    // Inside Roundcube too, axe finds nothing serious in the widget.
    expect(seriousFindings(await axeWidget(page))).toEqual([]);

    await page.setViewportSize(VIEWPORTS.phone);
    await page.reload();
    await widget(page).locator('section.aq-list[aria-busy="false"]').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'roundcube-quarantine-phone.png') });
    expect(seriousFindings(await axeWidget(page))).toEqual([]);
    await page.goto(`${ROUNDCUBE}/?_task=mail`);
    await page.locator('#messagelist').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'roundcube-mail-phone.png') });
    await context.close();
  });

  // Inside Roundcube, the widget loads its chunks from beside its own script (the quarantine server's
  // origin), by <script integrity crossorigin>: the message view once signed in, Statistics when opened.
  it('loads its chunks from the quarantine server inside Roundcube: the message view, then Statistics', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    const chunks: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      const name = /^\/amavis-quarantine\.([a-z]+)\.[0-9a-f]{16}\.js$/.exec(url.pathname)?.[1];
      if (name && url.origin === api.url) chunks.push(name);
    });
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await signInToRoundcube(page, USERS.alice);
    await openQuarantine(page);
    await expect.poll(() => chunks, { timeout: 20_000 }).toEqual(['message']);
    await widget(page).getByRole('button', { name: 'Statistics' }).click();
    await widget(page).locator('.aq-stats').waitFor();
    expect(chunks).toEqual(['message', 'stats']);
    expect(failed.filter((u) => u.startsWith(api.url))).toEqual([]);
    await page.close();
  });

  /** Sets the signed-in Roundcube user's language in Settings › Preferences › User Interface (as a user does). */
  async function setRoundcubeLanguage(page: Page, language: string): Promise<void> {
    await page.goto(`${ROUNDCUBE}/?_task=settings&_action=edit-prefs&_section=general&_framed=1`);
    await roundcubeReady(page);
    await page.locator('select[name="_language"]').selectOption(language);
    // The form posts its action in the body (_action=save-prefs), to ?_task=settings.
    const saved = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('_action=save-prefs'));
    await page.locator('.formbuttons button.submit').click();
    expect((await saved).status()).toBe(200);
  }

  // The plugin passes the user's Roundcube language (data-locale="de_DE"): the widget loads its German
  // strings, with no language setting of its own.
  it('a Roundcube user whose language is German gets the widget in German', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    const chunks: string[] = [];
    page.on('request', (request) => {
      const name = /^\/amavis-quarantine\.([a-z]+)\.[0-9a-f]{16}\.js$/.exec(new URL(request.url()).pathname)?.[1];
      if (name) chunks.push(name);
    });
    // admin: no other Roundcube test signs in as admin, so a language left behind by a failed run changes none of them.
    await signInToRoundcube(page, USERS.admin);
    try {
      await setRoundcubeLanguage(page, 'de_DE');
      await page.goto(`${ROUNDCUBE}/?_task=mail`);
      await roundcubeReady(page);
      await openQuarantine(page);
      expect(await page.locator('script[data-locale]').getAttribute('data-locale')).toBe('de_DE');
      expect(await widget(page).locator('.aq-root').getAttribute('lang')).toBe('de');
      expect(await widget(page).locator('input[type="search"]').getAttribute('aria-label')).toBe('Absender, Betreff, Empfänger suchen');
      await widget(page).getByRole('button', { name: 'Statistik' }).click();
      await widget(page).locator('.aq-stats').waitFor();
      expect(chunks[0]).toBe('de');
      await page.screenshot({ path: path.join(ARTIFACTS, 'rc-quarantine-de.png') });
    } finally {
      await setRoundcubeLanguage(page, 'en_US');
      await page.close();
    }
  });
});

// Without single sign-on the widget asks for the mail password; several people may use one browser.
describe('the quarantine in Roundcube, signed in by password', () => {
  let api: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    api = await startTestServer({ ...ROLE_ENV, AQ_ALLOWED_ORIGINS: ROUNDCUBE });
    await run('bash', [path.join(ROOT, 'e2e/stack/roundcube.sh'), 'up'], {
      env: { ...process.env, AMAVIS_QUARANTINE_URL: api.url, AQ_SSO_SECRET: '', ROUNDCUBE_PORT },
      timeout: 280_000,
    });
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  const widget = (page: Page) => page.locator('amavis-quarantine');

  async function signInToRoundcube(page: Page, user: { email: string; password: string }): Promise<void> {
    await page.goto(`${ROUNDCUBE}/?_task=login`);
    await page.locator('#rcmloginuser').fill(user.email);
    await page.locator('#rcmloginpwd').fill(user.password);
    await page.locator('#rcmloginsubmit').click();
    await page.waitForURL(/_task=mail/, { waitUntil: 'domcontentloaded' });
    await roundcubeReady(page);
  }

  /** Opens Quarantine and waits for the widget's sign-in form, which names the Roundcube user. */
  async function openSignInForm(page: Page, user: { email: string }): Promise<void> {
    await page.locator('#taskmenu a.quarantine').click();
    await page.waitForURL(/_task=quarantine/, { waitUntil: 'domcontentloaded' });
    await widget(page)
      .locator('form.aq-signin')
      .waitFor()
      .catch(async (err: Error) => {
        // Say what the widget showed instead, so a failure on a busy CI machine can be read from the log.
        // The widget draws into its shadow root: the host element's own textContent is always empty.
        const shown = await page.evaluate(() => document.querySelector('amavis-quarantine')?.shadowRoot?.textContent ?? '(no widget)').catch(() => '(no page)');
        throw new Error(`${err.message}\nthe widget showed: ${shown?.slice(0, 500)}`);
      });
    expect(await widget(page).locator('input[name="username"]').inputValue()).toBe(user.email);
  }

  async function signInToWidget(page: Page, user: { email: string; password: string }): Promise<void> {
    await widget(page).locator('input[name="password"]').fill(user.password);
    await widget(page).locator('form.aq-signin button[type="submit"]').click();
    await widget(page).locator('section.aq-list[aria-busy="false"]').waitFor();
    expect(await widget(page).locator('.aq-user').textContent()).toContain(user.email);
  }

  it('carol signs out and bob signs in, in the same browser: bob never sees carol’s quarantine', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === api.url) calls.push(`${request.method()} ${url.pathname}`);
    });

    await signInToRoundcube(page, USERS.carol);
    await openSignInForm(page, USERS.carol);
    await signInToWidget(page, USERS.carol);
    const carolCookie = await quarantineCookie(page, api.url);

    // Roundcube's logout ends her quarantine session on the server, not just in this browser.
    const sinceLogout = calls.length;
    await logOutOfRoundcube(page, api.url);
    expect(await sessionStatus(api.url, carolCookie)).toBe(401);

    await signInToRoundcube(page, USERS.bob);
    await openSignInForm(page, USERS.bob);
    expect(await widget(page).locator('.aq-user').count()).toBe(0);
    expect(calls.slice(sinceLogout).filter((c) => c.startsWith('GET /api/messages'))).toEqual([]);
    await signInToWidget(page, USERS.bob);
    await context.close();
  });

  it('signs out a session of another user that is still in the browser, and never lists its mail', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await context.newPage();
    await signInToRoundcube(page, USERS.bob);
    // As if carol's sign-out had not run (scripts blocked, the server unreachable at that moment):
    // her live quarantine session is in the browser when bob opens Quarantine.
    const carol = await signedIn(api.url, USERS.carol.email, USERS.carol.password);
    await context.addCookies([{ name: 'aq_session', value: carol.cookie?.slice('aq_session='.length) ?? '', url: api.url, httpOnly: true, sameSite: 'Strict' }]);
    const calls: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === api.url) calls.push(`${request.method()} ${url.pathname}`);
    });

    await openSignInForm(page, USERS.bob);
    expect(calls).toContain('DELETE /api/session');
    expect(calls.filter((c) => c.startsWith('GET /api/messages'))).toEqual([]);
    expect(await widget(page).locator('[data-aq-item]').count()).toBe(0);
    expect(await sessionStatus(api.url, carol.cookie ?? '')).toBe(401);
    await signInToWidget(page, USERS.bob);
    await context.close();
  });
});
