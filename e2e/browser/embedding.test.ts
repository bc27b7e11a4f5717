import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium, VIEWPORTS } from '../support/browser';
import { hostPageHtml, startHostServer } from '../support/host-page';
import { startTestServer, type TestServer } from '../support/server';
import { screenshotLooks, SIZES_AND_MODES } from '../support/widget-harness';

// The widget embedded by one <script> tag in a webmail page on another origin, in real Chromium, talking
// to the real server on the real stack.
describe('the widget in a host page, in Chromium', () => {
  let api: TestServer;
  let host: Awaited<ReturnType<typeof startHostServer>>;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    host = await startHostServer((url) =>
      hostPageHtml({
        widgetUrl: `${api.url}/amavis-quarantine.js`,
        apiUrl: `${api.url}/api`,
        hostile: url.searchParams.has('hostile'),
        dark: url.searchParams.has('dark'),
      }),
    );
    api = await startTestServer({ AQ_ALLOWED_ORIGINS: host.origin });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  async function open(query = '', viewport: { width: number; height: number } = VIEWPORTS.desktop): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('pageerror', (e) => errors.push(e.message));
    // A signed-out GET /api/session answers 401 by contract; Chromium logs that fetch as an error.
    page.on('console', (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && errors.push(m.text()));
    await page.goto(`${host.origin}/${query}`);
    await page.locator('amavis-quarantine form.aq-signin').waitFor();
    return page;
  }

  it('mounts into <amavis-quarantine> in an open shadow root and asks for sign-in', async () => {
    const page = await open();
    expect(await page.locator('amavis-quarantine input[name="username"]').isVisible()).toBe(true);
    // The service is healthy, so the sign-in screen shows no warning.
    expect(await page.locator('amavis-quarantine .aq-signin .aq-status--error').count()).toBe(0);
    expect(await page.evaluate(() => document.getElementById('aq')?.shadowRoot?.mode)).toBe('open');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('is untouched by hostile host CSS and adds no global styles', async () => {
    const page = await open('?hostile');
    const style = await page.locator('amavis-quarantine .aq-title').evaluate((el) => {
      const s = getComputedStyle(el);
      return { fontSize: s.fontSize, color: s.color, fontFamily: s.fontFamily, border: s.borderTopStyle, letterSpacing: s.letterSpacing };
    });
    const { fontFamily, ...rest } = style;
    expect(fontFamily).toMatch(/^Roboto/);
    expect(rest).toEqual({ fontSize: '20px', color: 'rgb(44, 54, 58)', border: 'none', letterSpacing: 'normal' });
    const bodyText = await page
      .locator('amavis-quarantine .aq-field span')
      .first()
      .evaluate((el) => getComputedStyle(el).fontSize);
    expect(bodyText).toBe('14px');
    // The only <style> in the document is the host's own; ours lives in the shadow root.
    expect(await page.evaluate(() => document.querySelectorAll('style').length)).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'signin-hostile-desktop.png'), fullPage: true });
    await page.close();
  });

  it('mount() and unmount() may be called twice', async () => {
    const page = await open();
    const counts = await page.evaluate(() => {
      const el = document.getElementById('aq') as Element;
      const aq = window.AmavisQuarantine;
      if (!aq) throw new Error('no global');
      const apiBase = document.querySelector('script[data-api]')?.getAttribute('data-api') ?? '';
      aq.mount(el, { api: apiBase });
      aq.mount(el, { api: apiBase });
      const mounted = el.shadowRoot?.childElementCount;
      aq.unmount(el);
      aq.unmount(el);
      return { mounted, unmounted: el.shadowRoot?.childElementCount };
    });
    expect(counts).toEqual({ mounted: 2, unmounted: 0 });
    await page.close();
  });

  it('fails loudly on a bad data-api', async () => {
    const page = await open();
    const message = await page.evaluate(() => {
      try {
        window.AmavisQuarantine?.mount(document.body, { api: 'javascript:alert(1)' });
        return 'mounted';
      } catch (err) {
        return (err as Error).message;
      }
    });
    expect(message).toMatch(/^amavis-quarantine: data-api must be an http\(s\) URL/);
    await page.close();
  });

  it('follows the webmail into dark mode', async () => {
    const page = await open();
    const theme = () => page.evaluate(() => document.getElementById('aq')?.getAttribute('data-aq-theme'));
    expect(await theme()).toBe('light');
    await page.evaluate(() => document.documentElement.classList.add('dark-mode'));
    await expect.poll(theme, { timeout: 10_000 }).toBe('dark');
    const background = await page.locator('amavis-quarantine .aq-root').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(33, 41, 44)');
    await page.close();
  });

  it.each(SIZES_AND_MODES)('renders at %s width in %s mode (screenshot)', async (size, mode) => {
    const page = await open(mode === 'dark' ? '?dark' : '', VIEWPORTS[size]);
    await screenshotLooks(page, 'signin', size, mode, { fullPage: true });
    await page.close();
  });
});
