/**
 * A cheap, linear look at HTML before the DOM parser gets it: how many elements, how deep, and a
 * flattened copy when it nests deeper than allowed. It is a tokenizer, not a parser: it only decides
 * what the real parser (parse5 in jsdom) and DOMPurify are given, and they still see everything that is
 * kept, so a mistake here can cost looks, never safety.
 */
export interface HtmlScan {
  /** Start tags seen (up to the limit: the scan stops there). */
  elements: number;
  /** True when the element count went past the limit (the scan stopped early). */
  tooManyElements: boolean;
  /** The HTML with the tags beyond maxDepth removed (their text kept); the input itself when nothing was. */
  html: string;
  flattened: boolean;
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'keygen',
  'basefont',
  'bgsound',
  'frame',
  'image',
]);
// Elements whose content is text up to their end tag: a `<div>` inside a <style> is no element.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
// Optional end tags: an open <li> is closed by the next <li>, a <td> by the next <td> or <tr>, and so
// on. Without this, a long list or table written the lazy way would look thousands of levels deep.
const CLOSED_BY: Record<string, readonly string[]> = {
  li: ['li'],
  dt: ['dt', 'dd'],
  dd: ['dt', 'dd'],
  td: ['td', 'th'],
  th: ['td', 'th'],
  tr: ['tr', 'td', 'th'],
  tbody: ['tbody', 'thead', 'tfoot', 'tr', 'td', 'th'],
  thead: ['tbody', 'thead', 'tfoot', 'tr', 'td', 'th'],
  tfoot: ['tbody', 'thead', 'tfoot', 'tr', 'td', 'th'],
  option: ['option'],
  optgroup: ['option', 'optgroup'],
  p: ['p'],
};
// How far up the stack an implied end tag is looked for (keeps the scan linear).
const IMPLIED_REACH = 8;
const BLOCKS_CLOSING_P = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'div',
  'dl',
  'fieldset',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'ul',
]);

const RAW_TEXT_END = new Map([...RAW_TEXT].map((name) => [name, new RegExp(`</${name}`, 'gi')]));
const NAME = /[a-zA-Z][^\s/>]*/y;
const SPACE = /[\t\n\f\r ]/;

/**
 * Where the tag starting at `from` (just after its name) ends, as the HTML tokenizer sees it: a quote
 * matters only right after `=`. Returns the index after `>`, or -1 when the input ends first. Each
 * character is visited once, so hostile quoting cannot make the scan quadratic.
 */
function tagEnd(html: string, from: number): number {
  let i = from;
  while (i < html.length) {
    const c = html[i];
    if (c === '>') return i + 1;
    if (c !== '=') {
      i++;
      continue;
    }
    i++;
    while (i < html.length && SPACE.test(html[i] ?? '')) i++;
    const q = html[i];
    if (q === '"' || q === "'") {
      const close = html.indexOf(q, i + 1);
      if (close === -1) return -1;
      i = close + 1;
    }
  }
  return -1;
}

/** Counts elements and flattens nesting beyond maxDepth; stops counting past maxElements. */
export function scanHtml(html: string, limits: { maxDepth: number; maxElements: number }): HtmlScan {
  const stack: string[] = [];
  const dropped = new Map<string, number>();
  const kept: string[] = [];
  let keptFrom = 0;
  let flattened = false;
  let elements = 0;
  const drop = (from: number, to: number) => {
    kept.push(html.slice(keptFrom, from));
    keptFrom = to;
    flattened = true;
  };

  let i = html.indexOf('<');
  while (i !== -1 && i < html.length) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end === -1 ? html.length : html.indexOf('<', end + 3);
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i);
      i = end === -1 ? html.length : html.indexOf('<', end + 1);
      continue;
    }
    const closing = html[i + 1] === '/';
    NAME.lastIndex = i + (closing ? 2 : 1);
    const m = NAME.exec(html);
    if (!m) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    const end = tagEnd(html, NAME.lastIndex);
    if (end === -1) break;
    const name = m[0].toLowerCase();
    if (closing) {
      const at = stack.lastIndexOf(name);
      if (at !== -1) stack.length = at;
      else if ((dropped.get(name) ?? 0) > 0) {
        dropped.set(name, (dropped.get(name) ?? 0) - 1);
        drop(i, end);
      }
      i = html.indexOf('<', end);
      continue;
    }
    if (++elements > limits.maxElements) return { elements, tooManyElements: true, html, flattened: false };
    const closes = CLOSED_BY[name];
    if (closes) {
      for (let k = stack.length - 1; k >= Math.max(0, stack.length - IMPLIED_REACH); k--) {
        if (closes.includes(stack[k] ?? '')) {
          stack.length = k;
          break;
        }
      }
    }
    if (BLOCKS_CLOSING_P.has(name) && stack[stack.length - 1] === 'p') stack.pop();
    let next = end;
    if (RAW_TEXT.has(name)) {
      const endTag = RAW_TEXT_END.get(name) ?? /$/g;
      endTag.lastIndex = end;
      next = endTag.exec(html)?.index ?? html.length;
    } else if (!VOID.has(name) && html[end - 2] !== '/') {
      if (stack.length >= limits.maxDepth) {
        dropped.set(name, (dropped.get(name) ?? 0) + 1);
        drop(i, end);
      } else {
        stack.push(name);
      }
    }
    i = html.indexOf('<', next);
  }
  if (!flattened) return { elements, tooManyElements: false, html, flattened };
  kept.push(html.slice(keptFrom));
  return { elements, tooManyElements: false, html: kept.join(''), flattened };
}
