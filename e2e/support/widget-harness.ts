import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { spamdAddress } from './bayes';
import { launchChromium } from './browser';
import { hostPageHtml, startHostServer } from './host-page';
import { startTestServer, type TestServer } from './server';
import { stackEnv } from './stack';

type HostPage = Omit<Parameters<typeof hostPageHtml>[0], 'widgetUrl' | 'apiUrl'>;

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
    w: (page) => page.locator('amavis-quarantine'),
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
