import { useEffect, useState } from 'preact/hooks';
import { chunks } from '../chunks/loader';
import { en, type Catalog } from './en';

/**
 * The strings of the user's language: English is built in (and the fallback for a missing string), German
 * and French come in a chunk each, loaded when the widget mounts. Undefined while loading; English when the
 * chunk cannot be loaded, so the widget still works.
 */
export function useCatalog(locale: string): Partial<Catalog> | undefined {
  const builtIn = locale === 'en' ? en : undefined;
  const [loaded, setLoaded] = useState<{ locale: string; catalog: Partial<Catalog> }>();
  useEffect(() => {
    if (builtIn) return undefined;
    let live = true;
    chunks.load<Partial<Catalog>>(locale).then(
      (catalog) => live && setLoaded({ locale, catalog }),
      (err: Error) => {
        console.error(err.message);
        if (live) setLoaded({ locale, catalog: en });
      },
    );
    return () => {
      live = false;
    };
  }, [locale, builtIn]);
  return builtIn ?? (loaded?.locale === locale ? loaded.catalog : undefined);
}
