import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_FIELDS } from '../../shared/policy';
import { ROLE_ENV, signedIn, USERS } from '../support/api-client';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { hostPageHtml, startHostServer } from '../support/host-page';
import { startTestServer, type TestServer } from '../support/server';
import { openAs, screenshotLooks, SIZES_AND_MODES } from '../support/widget-harness';

const CLEAR = Object.fromEntries(POLICY_FIELDS.map((f) => [f, null]));

// The spam filter as alice sees it: she picks "Strict", saves, sees the levels "set by you", and puts
// them back to inheriting. Her policy must end cleared: other tests send GTUBE to her and expect it quarantined.
describe('the spam filter, in Chromium', () => {
  let api: TestServer;
  let host: Awaited<ReturnType<typeof startHostServer>>;
  let browser: Browser;

  beforeAll(async () => {
    let apiUrl = '';
    host = await startHostServer((url) => hostPageHtml({ widgetUrl: `${apiUrl}/amavis-quarantine.js`, apiUrl: `${apiUrl}/api`, dark: url.searchParams.has('dark') }));
    api = await startTestServer({ ...ROLE_ENV, AQ_ALLOWED_ORIGINS: host.origin });
    apiUrl = api.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    // Whatever happened above, nothing of alice's policy stays in effect.
    if (api) {
      const res = await (await signedIn(api.url, USERS.super.email, USERS.super.password)).request('PUT', '/policy', { for: USERS.alice.email, values: CLEAR });
      if (!res.ok) throw new Error(`clearing alice's policy failed: ${res.status} ${await res.text()}`);
    }
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  const w = (page: Page) => page.locator('amavis-quarantine');
  const source = (page: Page, field: string) => w(page).locator(`[data-aq-field="${field}"] .aq-pfield__src`).textContent();

  async function opens(user: { email: string; password: string }, viewport: { width: number; height: number } = VIEWPORTS.desktop, dark = false): Promise<Page> {
    const page = await openAs({ browser, host }, { user, viewport, dark });
    await w(page).getByRole('button', { name: 'Spam filter' }).click();
    await w(page).getByRole('form', { name: 'Spam filter' }).waitFor();
    return page;
  }

  it('picks "Strict", saves it as her own, and clears it back to inheriting', async () => {
    const page = await opens(USERS.alice);
    const form = w(page).getByRole('form', { name: 'Spam filter' });
    expect(await source(page, 'spam_kill_level')).not.toBe('set by you');
    await form.getByRole('radio', { name: 'Strict' }).check();
    expect(await form.getByRole('spinbutton', { name: 'Mark as spam from score' }).inputValue()).toBe('4');
    expect(await form.getByRole('spinbutton', { name: 'Quarantine from score' }).inputValue()).toBe('5');
    await form.getByRole('button', { name: 'Save' }).click();
    // The refusal, if any, in the failure message: a PUT needs the API's CORS to allow it.
    const said = async () => `${await form.getByRole('status').textContent()}${await w(page).locator('section.aq-policy > [role="alert"]').textContent()}`;
    await expect.poll(said, { timeout: 20_000 }).toBe('Saved.');
    expect(await source(page, 'spam_tag2_level')).toBe('set by you');
    expect(await source(page, 'spam_kill_level')).toBe('set by you');
    await page.screenshot({ path: path.join(ARTIFACTS, 'spam-policy-saved-desktop-light.png'), fullPage: true });

    for (const label of ['Mark as spam from score', 'Quarantine from score']) {
      await form.getByRole('button', { name: `Inherit: ${label}` }).click();
      await form.getByRole('button', { name: `Inherit: ${label}` }).waitFor({ state: 'detached', timeout: 20_000 });
    }
    expect(await source(page, 'spam_kill_level')).not.toBe('set by you');
    expect(await form.getByRole('button', { name: /^Inherit/ }).count()).toBe(0);
    await page.close();
  });

  it('shows the server\u2019s refusal of a level out of range, with the focus on it', async () => {
    const page = await opens(USERS.alice);
    const form = w(page).getByRole('form', { name: 'Spam filter' });
    await form.getByRole('spinbutton', { name: 'Quarantine from score' }).fill('25');
    // Past the browser's own min/max check, to see the server's words.
    await form.evaluate((f) => f.setAttribute('novalidate', ''));
    await form.getByRole('button', { name: 'Save' }).click();
    const alert = w(page).locator('section.aq-policy > [role="alert"]');
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('between 3 and 20');
    expect(await alert.evaluate((a) => a === (a.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect(await source(page, 'spam_kill_level')).not.toBe('set by you');
    await page.close();
  });

  it.each(SIZES_AND_MODES)('looks right at %s width in %s mode', async (size, mode) => {
    for (const who of ['alice', 'admin'] as const) {
      const user = USERS[who];
      const page = await opens(user, VIEWPORTS[size], mode === 'dark');
      await w(page).locator('[data-aq-field="spam_kill_level"]').waitFor();
      await screenshotLooks(page, `spam-policy-${who}`, size, mode, { fullPage: true });
      await page.close();
    }
  });
});
