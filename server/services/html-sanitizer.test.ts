import { describe, expect, it } from 'vitest';
import { decodeCssEscapes, sanitizeMailHtml } from './html-sanitizer';

describe('sanitizeMailHtml', () => {
  it('removes scripts, handlers and javascript: links', () => {
    const { html } = sanitizeMailHtml(
      '<p onclick="x()">hi<script>window.__pwned=1</script><a href="javascript:alert(1)">a</a><svg><animate onbegin="alert(1)"/></svg></p>',
    );
    expect(html).not.toMatch(/script|onclick|javascript:|onbegin/i);
    expect(html).toContain('hi');
  });

  it('holds remote images back and counts them', () => {
    const { html, remoteImages } = sanitizeMailHtml('<img src="https://tracker.example/p.gif"><img srcset="https://x/1.png 1x"><img src="cid:logo">');
    expect(remoteImages).toBe(1);
    expect(html).toContain('data-aq-src="https://tracker.example/p.gif"');
    expect(html).not.toMatch(/ src=|srcset/);
    expect(html).toContain('data-aq-cid="logo"');
  });

  it('neutralises CSS that would load something', () => {
    const { html } = sanitizeMailHtml(
      '<style>@import url(https://x/a.css); body{background:url(https://x/b.png)}</style><div style="background-image:url(https://x/c.png)">t</div>',
    );
    expect(html).not.toMatch(/url\(|@import/);
  });

  it('sees through CSS escapes, and checks every style, not every other one', () => {
    for (const css of ['background:\\75rl(https://x/a.png)', 'src:u\\rl(https://x/f.woff)', "@\\69mport 'https://x/a.css'", 'background:url(https://x/b.png)']) {
      const { html } = sanitizeMailHtml(`<style>p{${css}}</style><div style="${css.replace(/'/g, '')}">x</div><div style="${css.replace(/'/g, '')}">y</div>`);
      // The text may stay, inside blocked(…), which is invalid CSS and loads nothing.
      expect(decodeCssEscapes(html), css).not.toMatch(/url\s*\(|@import/i);
    }
    const { html } = sanitizeMailHtml('<style>p{content:"\\3c/style\\3e\\3cscript\\3e"}</style>');
    expect(html).not.toMatch(/<script/i);
  });

  it('holds back remote media and SVG references, not only images', () => {
    const { html } = sanitizeMailHtml(
      '<audio src="https://x/a.ogg"></audio><video><source src="https://x/v.mp4"><track src="https://x/t.vtt"></video><svg><filter><feImage href="https://x/i.svg"/></filter><image href="https://x/j.png"/><use href="https://x/k.svg#a"/></svg>',
    );
    expect(html).not.toMatch(/https:\/\/x/);
  });

  it('drops forms, meta refresh and base', () => {
    const { html } = sanitizeMailHtml('<meta http-equiv="refresh" content="0;url=https://x"><base href="https://x/"><form action="https://x"><input name=p></form>ok');
    expect(html).not.toMatch(/meta|base|form|input/i);
    expect(html).toContain('ok');
  });

  it('opens links in a new tab without referrer', () => {
    const { html } = sanitizeMailHtml('<a href="https://example.org/">x</a>');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('target="_blank"');
  });
});
