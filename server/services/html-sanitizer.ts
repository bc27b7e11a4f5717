import createDOMPurify, { type DOMPurify } from 'dompurify';
import { JSDOM } from 'jsdom';

/**
 * Quarantined HTML is hostile. It is sanitized here, on the server, rather than in the widget: every
 * client gets the same protection, the widget stays within its size budget, and the browser receives
 * nothing executable. The widget adds a second wall (a sandboxed iframe without allow-scripts, and a
 * CSP that forbids network loads).
 *
 * Remote content is held back: an image's source moves to data-aq-src (shown only when the user asks),
 * and CSS url()/@import, srcset and background attributes are removed, so opening a message never
 * tells a spammer that the address is read.
 */
export interface SanitizedHtml {
  html: string;
  remoteImages: number;
}

const FORBID_TAGS = [
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'option',
  'meta',
  'link',
  'base',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'script',
  'noscript',
  'template',
];
const FORBID_ATTR = ['srcset', 'background', 'action', 'formaction', 'ping', 'poster', 'lowsrc', 'dynsrc'];
// Everything in CSS that can load something (or run something, in old engines).
const CSS_LOADERS = /url\s*\(|@import|expression\s*\(|image-set\s*\(|image\s*\(|-moz-binding|behavior\s*:/gi;
// Attributes that make the browser fetch something, on any element but a link.
const LOADING_ATTRS = ['src', 'href', 'xlink:href', 'data', 'poster', 'background', 'lowsrc', 'dynsrc'];
const REMOTE = /^\s*(?:[a-z][a-z0-9+.-]*:|\/\/|\\\\)/i;

/** Decodes CSS escapes (`\75` is u, `\r` is r), which would otherwise hide url( or @import from a check. */
export function decodeCssEscapes(css: string): string {
  return css.replace(/\\(?:([0-9a-fA-F]{1,6})\s?|([^\n\r\f0-9a-fA-F]))/g, (_, hex: string | undefined, ch: string | undefined) =>
    hex ? String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff) || 0xfffd) : (ch ?? ''),
  );
}

/**
 * Makes CSS unable to load anything: escapes decoded first, then every loader neutralised. `<` and `>`
 * go too, so decoded text can never close its <style> element.
 */
export function neutralizeCss(css: string): string {
  return decodeCssEscapes(css).replace(/[<>]/g, '').replace(CSS_LOADERS, 'blocked(');
}

let purify: DOMPurify | undefined;

function instance(): DOMPurify {
  if (purify) return purify;
  const { window } = new JSDOM('');
  const p = createDOMPurify(window);
  p.addHook('uponSanitizeElement', (node, data) => {
    // The contents of <style> elements: keep layout rules, drop anything that loads.
    if (data.tagName === 'style' && node.textContent) node.textContent = neutralizeCss(node.textContent);
  });
  p.addHook('afterSanitizeAttributes', (el) => {
    const style = el.getAttribute?.('style');
    if (style) el.setAttribute('style', neutralizeCss(style));
    if (el.tagName === 'IMG') {
      const src = el.getAttribute('src') ?? el.getAttribute('href') ?? '';
      if (/^https?:/i.test(src)) {
        el.setAttribute('data-aq-src', src);
        (p as unknown as { remote: number }).remote++;
      } else if (/^cid:/i.test(src)) {
        el.setAttribute('data-aq-cid', src.slice(4));
      }
      if (!/^data:image\/(png|gif|jpe?g|webp);/i.test(src)) {
        el.removeAttribute('src');
        el.removeAttribute('href');
      }
    }
    // Any other element that would fetch something (audio, video, source, track, SVG image, feImage,
    // use…) loses the attribute: only images are offered on demand.
    if (el.tagName !== 'A' && el.tagName !== 'IMG') {
      for (const attr of LOADING_ATTRS) {
        const value = el.getAttribute?.(attr);
        if (value !== null && value !== undefined && (REMOTE.test(value) || attr === 'data')) el.removeAttribute(attr);
      }
    }
    if (el.tagName === 'A' && el.hasAttribute('href')) {
      const href = el.getAttribute('href') ?? '';
      if (!/^(https?:|mailto:)/i.test(href)) el.removeAttribute('href');
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
  purify = p;
  return p;
}

/** Sanitizes a message's HTML body and counts the remote images it holds back. */
export function sanitizeMailHtml(html: string): SanitizedHtml {
  const p = instance();
  const counter = p as unknown as { remote: number };
  counter.remote = 0;
  const clean = p.sanitize(html, {
    WHOLE_DOCUMENT: false,
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOW_DATA_ATTR: false,
    ADD_ATTR: ['target'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|cid:|data:image\/(?:png|gif|jpe?g|webp);)/i,
  });
  return { html: String(clean), remoteImages: counter.remote };
}
