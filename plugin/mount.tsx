import { render } from 'preact';
import { App } from './app';
import { setChunkOrigin } from './chunks/loader';
import type { MountOptions } from './options';
import { css } from './styles';
import { watchTheme } from './theme';

export type { MountOptions } from './options';

interface Mounted {
  container: HTMLElement;
  style: HTMLStyleElement;
  stopTheme: () => void;
}

const mounted = new Map<Element, Mounted>();

/** Fails loudly, with the prefix a developer will search the console for. */
export function fail(message: string): never {
  const error = new Error(`amavis-quarantine: ${message}`);
  console.error(error.message);
  throw error;
}

/** Checks the API base: an absolute http(s) URL or a path on the page's own origin. */
export function validateApiBase(api: string | null | undefined): string {
  if (!api) fail('no API address: add data-api="https://mail.example.org/api" to the script tag, or pass { api } to mount()');
  if (api.startsWith('/') && !api.startsWith('//')) return api;
  try {
    const url = new URL(api);
    if (url.protocol === 'https:' || url.protocol === 'http:') return api;
  } catch {
    // reported below
  }
  return fail(`data-api must be an http(s) URL or a path starting with /, got "${api}"`);
}

/** Renders the widget into el's open shadow root. Calling it again re-renders with the new options. */
export function mount(el: Element, options: MountOptions): void {
  if (!(el instanceof Element)) fail('mount() needs a DOM element');
  const api = validateApiBase(options?.api);
  // Without a script tag (document.currentScript), chunks come from beside the API.
  setChunkOrigin(null, api);
  let entry = mounted.get(el);
  if (!entry) {
    let shadow: ShadowRoot;
    try {
      shadow = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    } catch (err) {
      return fail(`cannot attach a shadow root to <${el.localName}>: ${(err as Error).message}`);
    }
    const style = document.createElement('style');
    style.textContent = css;
    const container = document.createElement('div');
    container.className = 'aq-mount';
    shadow.append(style, container);
    entry = { container, style, stopTheme: watchTheme(el) };
    mounted.set(el, entry);
  }
  render(<App {...options} api={api} />, entry.container);
}

/** Removes the widget from el (or from every element it is mounted in). Harmless when not mounted. */
export function unmount(el?: Element): void {
  for (const [host, entry] of [...mounted]) {
    if (el && host !== el) continue;
    render(null, entry.container);
    entry.container.remove();
    entry.style.remove();
    entry.stopTheme();
    mounted.delete(host);
  }
}
