import type { ComponentType, FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { chunks } from '../chunks/loader';
import { useI18n } from '../i18n';

/**
 * A screen that lives in a chunk of its own (chunks/*.ts), loaded when first shown. Says it is loading,
 * and when the chunk cannot be loaded (offline, a server upgraded under an open page) says so in the
 * user's language with a button to try again: never a blank screen. A chunk's `css` (styles-screens.ts)
 * goes into the shadow root with the screen.
 */
export function lazyView<C, P extends object>(
  name: string,
  pick: (chunk: C) => ComponentType<P>,
  /** A control inside another screen (the bulk bar's "More"): nothing at all until it is there, and no error box. */
  { inline = false }: { inline?: boolean } = {},
): FunctionComponent<P> & { preload(): void } {
  let loaded: ComponentType<P> | undefined;
  let css: string | undefined;
  const LazyView = (props: P) => {
    const { t } = useI18n();
    const [View, setView] = useState(() => loaded);
    const [failed, setFailed] = useState(false);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (View) return undefined;
      let live = true;
      setFailed(false);
      chunks.load<C>(name).then(
        (chunk) => {
          loaded = pick(chunk);
          css = (chunk as { css?: string }).css;
          if (live) setView(() => loaded);
        },
        (err: Error) => {
          console.error(err.message);
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, [attempt, View]);
    if (View)
      return (
        <>
          {css && <style>{css}</style>}
          <View {...props} />
        </>
      );
    if (inline) return null;
    if (failed)
      return (
        <div class="aq-status aq-status--error" role="alert" data-aq-chunk-failed={name}>
          <p>{t('chunkFailed')}</p>
          <button type="button" class="aq-btn" onClick={() => setAttempt((n) => n + 1)}>
            {t('retry')}
          </button>
        </div>
      );
    return (
      <p class="aq-muted" role="status">
        {t('loading')}
      </p>
    );
  };
  // Fetches the chunk ahead of need (a failure is left for the view to show).
  LazyView.preload = () => void chunks.load(name).catch(() => undefined);
  return LazyView;
}
