/**
 * Keeps the host element's data-aq-theme in step with the webmail: Elastic puts `dark-mode` on <html>;
 * without that class, the system preference decides. Returns a function that stops watching.
 */
export function watchTheme(host: Element): () => void {
  return onThemeChange((dark) => host.setAttribute('data-aq-theme', dark ? 'dark' : 'light'));
}

const darkMedia = () => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined);

/** True when the webmail is in dark mode: Elastic's class on <html>, else the system preference. */
export function isDarkMode(media = darkMedia()): boolean {
  const root = document.documentElement;
  return root.classList.contains('dark-mode') || (!root.classList.contains('light-mode') && Boolean(media?.matches));
}

/** Calls `onChange` with the webmail's theme (true: dark) now and on every change; returns a function that stops. */
export function onThemeChange(onChange: (dark: boolean) => void): () => void {
  const media = darkMedia();
  const apply = () => onChange(isDarkMode(media));
  apply();
  const observer = new MutationObserver(apply);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  media?.addEventListener('change', apply);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', apply);
  };
}
