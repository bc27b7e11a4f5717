import { setChunkOrigin } from './chunks/loader';
import { SHARED } from './chunks/shared';
import { fail, mount, unmount, type MountOptions } from './mount';

declare global {
  interface Window {
    AmavisQuarantine?: { mount: (el: Element, options: MountOptions) => void; unmount: (el?: Element) => void; version: string; _shared?: typeof SHARED };
  }
}

// document.currentScript is only set while this file first runs; read the tag's data-* now.
const script = document.currentScript as HTMLScriptElement | null;
// Chunks (screens, de/fr strings) are loaded from beside this file.
setChunkOrigin(script);
const defaults = {
  api: script?.dataset.api,
  locale: script?.dataset.locale ?? (document.documentElement.lang || undefined),
  target: script?.dataset.target,
  ssoToken: script?.dataset.ssoToken,
  user: script?.dataset.user,
  dates: { timeZone: script?.dataset.timezone, dateFormat: script?.dataset.dateFormat, timeFormat: script?.dataset.timeFormat },
  embedded: script?.dataset.embedded === 'true',
  state: script?.dataset.state === 'none' ? ('none' as const) : ('hash' as const),
};
const { target, ...options } = defaults;

/** <amavis-quarantine api="…">: mounts itself, taking the script tag's data-api when it has no api attribute (and its other data-*). */
class AmavisQuarantineElement extends HTMLElement {
  connectedCallback(): void {
    mount(this, { ...options, api: this.getAttribute('api') ?? defaults.api ?? '', locale: this.getAttribute('locale') ?? defaults.locale });
  }
  disconnectedCallback(): void {
    unmount(this);
  }
}

// Loading the script twice must be harmless: keep the first definitions.
if (!window.AmavisQuarantine) {
  window.AmavisQuarantine = { mount, unmount, version: '0.1.0', _shared: SHARED };
  if (!customElements.get('amavis-quarantine')) customElements.define('amavis-quarantine', AmavisQuarantineElement);

  if (target) {
    const selector = target;
    const mountTarget = () => {
      const el = document.querySelector(selector);
      if (!el) fail(`data-target "${selector}" matches no element`);
      mount(el, { ...options, api: defaults.api ?? '' });
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountTarget, { once: true });
    else mountTarget();
  }
}
