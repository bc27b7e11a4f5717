import { useEffect, useState } from 'preact/hooks';
import type { DigestFrequency, DigestLanguage, DigestSettings } from '../../shared/digest';
import { ApiError, type ApiClient } from '../api/client';
import { errorText } from '../api/actions';
import { useI18n } from '../i18n';

/** The digest target of a spam-filter target: me → the user's own, @domain → `domain:…`, everyone → `site`. */
export const digestTargetOf = (target: string): string | undefined => (target === 'me' ? undefined : target === 'everyone' ? 'site' : `domain:${target.slice(1)}`);

/**
 * The digest frequency of one target and saving it. `absent` when the server has no digest settings
 * (an older server answers 404): the widget then shows nothing of it.
 */
export function useDigest(client: ApiClient, target: string) {
  const { t, locale } = useI18n();
  const [settings, setSettings] = useState<DigestSettings | null>(null);
  const [absent, setAbsent] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const forWhom = digestTargetOf(target);

  useEffect(() => {
    let current = true;
    setSettings(null);
    setOutcome(null);
    client.digest(forWhom).then(
      (s) => current && setSettings(s),
      (err: unknown) => {
        if (!current) return;
        if (err instanceof ApiError && err.status === 404 && err.code === 'not_found') setAbsent(true);
        else setOutcome({ kind: 'error', text: errorText(err, t) });
      },
    );
    return () => {
      current = false;
    };
  }, [client, forWhom, t]);

  /** Saves this level's frequency (null: inherit again), with the widget's language for the user's own digests. */
  const save = async (frequency: DigestFrequency | null) => {
    setBusy(true);
    try {
      setSettings(await client.saveDigest({ frequency, language: locale as DigestLanguage, ...(forWhom ? { for: forWhom } : {}) }));
      setOutcome({ kind: 'success', text: t('saved') });
    } catch (err) {
      setOutcome({ kind: 'error', text: errorText(err, t) });
    } finally {
      setBusy(false);
    }
  };

  return { settings, absent, outcome, busy, save };
}
