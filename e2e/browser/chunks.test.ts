import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { submitSignIn, widgetHarness } from '../support/widget-harness';

const CHUNK = /\/amavis-quarantine\.([a-z]+)\.[0-9a-f]{16}\.js$/;

// The widget's main file holds what a user needs at first; the de/fr strings and the secondary screens are
// chunks it loads on demand from beside itself (plugin/chunks/). Real Chromium, a host page on another
// origin with the one unchanged <script> tag, the real server on the real stack.
describe('the widget loads its chunks on demand, in a host page', () => {
  const h = widgetHarness({ env: () => ROLE_ENV, page: (url) => ({ lang: url.searchParams.get('lang') ?? 'en' }) });
  const { w } = h;

  /** A page that records which chunks it fetched and the errors it logged. */
  async function open(lang: string): Promise<{ page: Page; chunks: string[]; errors: string[] }> {
    const page = await h.browser.newPage();
    const chunks: string[] = [];
    const errors: string[] = [];
    page.on('request', (r: Request) => {
      const name = CHUNK.exec(new URL(r.url()).pathname)?.[1];
      if (name) chunks.push(name);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${h.host.origin}/?lang=${lang}`);
    return { page, chunks, errors };
  }

  async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
    await submitSignIn(page, user);
    await w(page).locator('section.aq-list[aria-busy="false"]').waitFor();
  }

  it('an English user loads no chunk to sign in, the message view once signed in, a secondary screen when opened', async () => {
    const { page, chunks, errors } = await open('en');
    await w(page).getByRole('heading', { name: 'Sign in to your quarantine' }).waitFor();
    expect(chunks).toEqual([]);
    await signIn(page, USERS.alice);
    // Preloaded while the list shows: opening a message then waits for no chunk.
    await expect.poll(() => chunks, { timeout: 20_000 }).toEqual(['message']);
    await w(page).locator('[data-aq-item]').first().click();
    await w(page).locator('.aq-msg-bar').waitFor();
    await w(page).getByRole('button', { name: 'Statistics' }).click();
    await w(page).locator('.aq-stats').waitFor();
    // Its CSS came with it: the chart has its height.
    expect(
      await w(page)
        .locator('.aq-chart svg')
        .evaluate((el) => getComputedStyle(el).height),
    ).toBe('160px');
    expect(chunks).toEqual(['message', 'stats']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a German super user gets the German strings, then the Statistics and Audit screens, each once', async () => {
    const { page, chunks, errors } = await open('de');
    await w(page).getByRole('heading', { name: 'Bei Ihrer Quarantäne anmelden' }).waitFor();
    expect(chunks).toEqual(['de']);
    await signIn(page, USERS.super);
    await w(page).getByRole('button', { name: 'Statistik' }).click();
    await w(page).locator('.aq-stats').waitFor();
    await w(page).getByRole('button', { name: 'Protokoll' }).click();
    await w(page).locator('section.aq-audit').waitFor();
    await w(page).getByRole('button', { name: 'Statistik' }).click();
    await w(page).locator('.aq-stats').waitFor();
    expect(chunks).toEqual(['de', 'message', 'stats', 'audit']);
    // The chunk's <script> carries its Subresource Integrity, and the browser checked it.
    const integrity = await page.evaluate(() => [...document.querySelectorAll<HTMLScriptElement>('script[integrity]')].map((s) => s.integrity));
    expect(integrity).toHaveLength(4);
    for (const i of integrity) expect(i).toMatch(/^sha256-/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a chunk that cannot be loaded says so in the user’s language, and Retry loads it', async () => {
    const { page } = await open('fr');
    await signIn(page, USERS.alice);
    let block = true;
    await page.route(CHUNK, (route) => (block && /\.policy\./.test(route.request().url()) ? route.abort() : route.continue()));
    await w(page).getByRole('button', { name: 'Filtre anti-spam' }).click();
    const alert = w(page).locator('[data-aq-chunk-failed="policy"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('n’a pas pu être chargée');
    block = false;
    await alert.getByRole('button', { name: 'Réessayer' }).click();
    await w(page).locator('.aq-policy').waitFor();
    expect(await alert.count()).toBe(0);
    await page.close();
  });
});
