import { fail, mount, unmount, type MountOptions } from './mount';

declare global {
  interface Window {
    AmavisQuarantine?: { mount: (el: Element, options: MountOptions) => void; unmount: (el?: Element) => void; version: string };
  }
}

// document.currentScript is only set while this file first runs; read the tag's data-* now.
const script = document.currentScript as HTMLScriptElement | null;
const defaults = {
  api: script?.dataset.api,
  locale: script?.dataset.locale ?? (document.documentElement.lang || undefined),
  target: script?.dataset.target,
  ssoToken: script?.dataset.ssoToken,
  user: script?.dataset.user,
};

/** <amavis-quarantine api="…">: mounts itself, taking the script tag's data-api when it has no api attribute (and its data-sso-token and data-user). */
class AmavisQuarantineElement extends HTMLElement {
  connectedCallback(): void {
    mount(this, {
      api: this.getAttribute('api') ?? defaults.api ?? '',
      locale: this.getAttribute('locale') ?? defaults.locale,
      ssoToken: defaults.ssoToken,
      user: defaults.user,
    });
  }
  disconnectedCallback(): void {
    unmount(this);
  }
}

// Loading the script twice must be harmless: keep the first definitions.
if (!window.AmavisQuarantine) {
  window.AmavisQuarantine = { mount, unmount, version: '0.1.0' };
  if (!customElements.get('amavis-quarantine')) customElements.define('amavis-quarantine', AmavisQuarantineElement);

  if (defaults.target) {
    const selector = defaults.target;
    const mountTarget = () => {
      const el = document.querySelector(selector);
      if (!el) fail(`data-target "${selector}" matches no element`);
      mount(el, { api: defaults.api ?? '', locale: defaults.locale, ssoToken: defaults.ssoToken, user: defaults.user });
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountTarget, { once: true });
    else mountTarget();
  }
}
