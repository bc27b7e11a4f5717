/**
 * A plain-text rendition of HTML, for a message that has no text part when its HTML is not shown
 * (too large or too complex). Linear in the input, with no regular expression that can backtrack:
 * it must stay cheap on exactly the mail that is too much for the DOM parser.
 */
const SKIPPED = ['script', 'style', 'head', 'title'];
const BREAKS = new Set(['br', 'p', 'div', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote', 'pre', 'hr']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Strips the tags, keeps line breaks for blocks, decodes the common entities; at most maxChars. */
export function htmlToPlainText(html: string, maxChars: number): string {
  const out: string[] = [];
  let length = 0;
  const emit = (text: string) => {
    if (length >= maxChars || !text) return;
    const piece = text.slice(0, maxChars - length);
    out.push(piece);
    length += piece.length;
  };
  const lower = html.toLowerCase();
  let i = 0;
  while (i < html.length && length < maxChars) {
    const lt = html.indexOf('<', i);
    emit(decodeEntities(html.slice(i, lt === -1 ? html.length : lt)));
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    const gt = html.indexOf('>', lt);
    if (gt === -1) break;
    const name = /^<\/?([a-z0-9]+)/.exec(lower.slice(lt, Math.min(gt, lt + 16)))?.[1] ?? '';
    i = gt + 1;
    if (SKIPPED.includes(name) && lower[lt + 1] !== '/') {
      const close = lower.indexOf(`</${name}`, i);
      i = close === -1 ? html.length : close;
    } else if (BREAKS.has(name)) {
      emit('\n');
    }
  }
  return out
    .join('')
    .replace(/[ \t\r\f\v]+/g, ' ')
    .replace(/ ?\n[\s]*\n\s*/g, '\n\n')
    .trim();
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  });
}
