/**
 * Keeps the host element's data-aq-theme in step with the webmail: Elastic puts `dark-mode` on <html>;
 * without that class, the system preference decides. Returns a function that stops watching.
 */
export function watchTheme(host: Element): () => void {
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  const apply = () => {
    const root = document.documentElement;
    const dark = root.classList.contains('dark-mode') || (!root.classList.contains('light-mode') && Boolean(media?.matches));
    host.setAttribute('data-aq-theme', dark ? 'dark' : 'light');
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
