import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { spamdAddress } from './bayes';
import { ARTIFACTS, launchChromium, VIEWPORTS } from './browser';
import { hostPageHtml, startHostServer } from './host-page';
import { startTestServer, type TestServer } from './server';
import { stackEnv } from './stack';

type HostPage = Omit<Parameters<typeof hostPageHtml>[0], 'widgetUrl' | 'apiUrl'>;
type Credentials = { email: string; password: string };
type Viewport = { width: number; height: number };

/** The widget in a page (playwright's locators pierce its open shadow root). */
const widget = (page: Page) => page.locator('amavis-quarantine');

/** What a browser test works with once its `beforeAll` has run. */
export interface WidgetHarness {
  /** The API server under test, on the real stack. */
  readonly api: TestServer;
  /** The webmail-like page that embeds the widget, on another origin than the API. */
  readonly host: Awaited<ReturnType<typeof startHostServer>>;
  readonly browser: Browser;
  /** The widget's element in a page (playwright's locators pierce its open shadow root). */
  readonly w: (page: Page) => Locator;
}

/**
 * The setup most browser tests share, registered as the file's `beforeAll`/`afterAll`: a host page
 * (`?dark` puts it in dark mode; `page` adds to it per URL), an API server allowing that origin with `env`
 * on top of the stack's settings, whatever `setup` sends or prepares, and Chromium; all closed afterwards.
 */
export function widgetHarness(
  options: { env?: () => Record<string, string>; page?: (url: URL) => HostPage; setup?: (api: TestServer) => Promise<void>; timeout?: number } = {},
): WidgetHarness {
  let api: TestServer | undefined;
  let host: WidgetHarness['host'] | undefined;
  let browser: Browser | undefined;
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the harness's ${name} is not started: use it inside a test, after beforeAll`);
    return value;
  };

  beforeAll(async () => {
    host = await startHostServer((url) =>
      hostPageHtml({
        widgetUrl: `${api?.url ?? ''}/amavis-quarantine.js`,
        apiUrl: `${api?.url ?? ''}/api`,
        ...(options.page ? options.page(url) : { dark: url.searchParams.has('dark') }),
      }),
    );
    api = await startTestServer({ ...(options.env?.() ?? {}), AQ_ALLOWED_ORIGINS: host.origin });
    await options.setup?.(api);
    browser = await launchChromium();
  }, options.timeout ?? 120_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await api?.close();
  });

  return {
    get api() {
      return ready(api, 'API server');
    },
    get host() {
      return ready(host, 'host page');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    w: widget,
  };
}

/** Digests on (a mail server is configured: the spam filter shows the digest setting) with no scheduler sending one. */
export const digestEnv = (): Record<string, string> => ({
  AQ_SMTP_URL: `lmtp://127.0.0.1:${stackEnv().AQ_LMTP_PORT}`,
  AQ_SMTP_CA_FILE: stackEnv().AQ_IMAP_CA_FILE,
  AQ_DIGEST_INTERVAL_MS: '0',
});

/** Learning through the stack's spamd, when the stack has one (then "Spam" and "Not spam" are offered); else nothing. */
export function learningEnv(): Record<string, string> {
  try {
    const spamd = spamdAddress();
    return { AQ_SPAMD: `${spamd.host}:${spamd.port}` };
  } catch {
    return {};
  }
}

/** Fills the widget's sign-in form as `user` and submits it; the caller waits for the screen it expects next. */
export async function submitSignIn(page: Page, user: Credentials): Promise<void> {
  await widget(page).locator('input[name="username"]').fill(user.email);
  await widget(page).locator('input[name="password"]').fill(user.password);
  await widget(page).locator('button[type="submit"]').click();
}

/** Types `text` into the list's search box and submits it; the caller waits for the rows it expects. */
export async function searchFor(page: Page, text: string): Promise<void> {
  await widget(page).locator('input[type="search"]').fill(text);
  await widget(page).locator('input[type="search"]').press('Enter');
}

/**
 * A new tab on the host page (light unless `dark`, a desktop's viewport unless told) with `user` signed in;
 * with `search`, once a row with that text is listed; with `open` too, once the first such row's message is open.
 * Works with a harness, or with any `{ browser, host }` a file set up itself.
 */
export async function openAs(
  h: Pick<WidgetHarness, 'browser' | 'host'>,
  options: { user: Credentials; viewport?: Viewport; dark?: boolean; search?: string; open?: boolean },
): Promise<Page> {
  const page = await h.browser.newPage({ viewport: options.viewport ?? VIEWPORTS.desktop });
  await page.goto(`${h.host.origin}/${options.dark ? '?dark' : ''}`);
  await submitSignIn(page, options.user);
  if (options.search === undefined) return page;
  const text = options.search;
  await searchFor(page, text);
  const row = widget(page).locator('[data-aq-item]', { hasText: text }).first();
  await row.waitFor();
  if (options.open) {
    await row.locator('.aq-item__subject').click();
    await widget(page).locator('section.aq-message .aq-msg-subject', { hasText: text }).waitFor();
  }
  return page;
}

/** The widths and modes the "looks right" tests run at: `it.each(SIZES_AND_MODES)('… %s width in %s mode', (size, mode) => …)`. */
export const SIZES_AND_MODES = [
  ['desktop', 'light'],
  ['desktop', 'dark'],
  ['phone', 'light'],
  ['phone', 'dark'],
] as const;

/** Checks that the widget's root lies within the page's `width`: nothing of it is cut off or scrolled sideways. */
export async function expectWidgetFits(page: Page, width: number): Promise<void> {
  const box = await widget(page).locator('.aq-root').boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
}

/** Saves a screenshot as e2e/artifacts/`name`-`size`-`mode`.png, to be looked at, and checks that the widget fits the width. */
export async function screenshotLooks(
  page: Page,
  name: string,
  size: keyof typeof VIEWPORTS,
  mode: 'light' | 'dark',
  options: { fullPage?: boolean } = {},
): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${size}-${mode}.png`), fullPage: options.fullPage ?? false });
  await expectWidgetFits(page, VIEWPORTS[size].width);
}
