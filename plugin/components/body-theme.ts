import { useEffect, useState } from 'preact/hooks';
import { isDarkMode, onThemeChange } from '../theme';

// In dark mode a message body that sets none of its own colours is shown dark; one that does keeps them,
// on white, as its sender meant. The body's iframe is a document of its own: it is told, not inherited.
const DARK = ':root{color-scheme:dark}body{color:#c5d1d3;background:#21292c}a{color:#37beff}a[data-aq-href]::after{color:#9fb0b5}';

/** CSS for the body's srcdoc: the dark look, unless the HTML (null for a text body) brings its own colours. */
export const bodyTheme = (html: string | null, dark: boolean): string => (dark && !(html !== null && /(?:bgcolor|background|color)\s*[:=]/i.test(html)) ? DARK : '');

/** True while the webmail is in dark mode; right from the first render, so that the body's frame loads once. */
export function useDarkMode(): boolean {
  const [dark, setDark] = useState(isDarkMode);
  useEffect(() => onThemeChange(setDark), []);
  return dark;
}
