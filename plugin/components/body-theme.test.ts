import { describe, expect, it } from 'vitest';
import { bodyTheme } from './body-theme';

describe('the message body in dark mode', () => {
  it('is dark for a text body and for HTML without colours of its own', () => {
    expect(bodyTheme(null, true)).toContain('background:#21292c');
    expect(bodyTheme('<p>Hello <b>you</b></p>', true)).toContain('color-scheme:dark');
    // An inert link's target is readable on the dark body (#9fb0b5 on #21292c: 6.6:1), not #555 (2.0:1).
    expect(bodyTheme('<p><a data-aq-href="https://x.example">x</a></p>', true)).toContain('a[data-aq-href]::after{color:#9fb0b5}');
  });

  it('keeps the sender\u2019s colours on white, and light mode as it is', () => {
    expect(bodyTheme('<p style="color: #333">Hi</p>', true)).toBe('');
    expect(bodyTheme('<table bgcolor="#fff"><tr><td>Hi</td></tr></table>', true)).toBe('');
    expect(bodyTheme('<div style="background:url(x)">Hi</div>', true)).toBe('');
    expect(bodyTheme(null, false)).toBe('');
  });
});
