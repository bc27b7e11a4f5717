import { useEffect, useState } from 'preact/hooks';
import type { StatsResponse } from '../../shared/stats';
import { errorText } from '../api/actions';
import type { ApiClient } from '../api/client';
import { useI18n } from '../i18n';

/** The statistics of one scope (`user`, `site` or a domain) over the last `days` days, reloaded when either changes. */
export function useStats(client: ApiClient, scope: string, days: number) {
  const { t } = useI18n();
  const [stats, setStats] = useState<StatsResponse | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    // A slow answer for the scope picked before must not show under the one picked now.
    let current = true;
    setError('');
    client.stats(scope, days).then(
      (s) => current && setStats(s),
      (err: unknown) => current && setError(errorText(err, t)),
    );
    return () => {
      current = false;
    };
  }, [client, scope, days, t]);
  return { stats, error };
}
