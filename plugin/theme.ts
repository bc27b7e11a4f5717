/**
 * Keeps the host element's data-aq-theme in step with the webmail: Elastic puts `dark-mode` on <html>;
 * without that class, the system preference decides. Returns a function that stops watching.
 */
export function watchTheme(host: Element): () => void {
  return onThemeChange((dark) => host.setAttribute('data-aq-theme', dark ? 'dark' : 'light'));
}

/** Calls `apply` with the webmail's theme (true: dark) now and on every change; returns a function that stops. */
export function onThemeChange(onChange: (dark: boolean) => void): () => void {
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  const apply = () => {
    const root = document.documentElement;
    onChange(root.classList.contains('dark-mode') || (!root.classList.contains('light-mode') && Boolean(media?.matches)));
  };
  apply();
  const observer = new MutationObserver(apply);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  media?.addEventListener('change', apply);
  return () => {
    observer.disconnect();
    media?.removeEventListener('change', apply);
  };
}
