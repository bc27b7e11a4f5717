import { useState } from 'preact/hooks';
import { errorText, runAction, summarizeBatch, type WidgetAction } from '../api/actions';
import type { ApiClient } from '../api/client';
import type { Status } from '../components/status-bar';
import { useI18n } from '../i18n';

/**
 * Runs an action on one message or a batch and reports the outcome as a status. `run` resolves to true
 * when the server answered (even with some batch items failed), so the caller refreshes what it shows.
 */
export function useMessageActions(client: ApiClient, notify: (s: Status | null) => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);

  const run = async (action: WidgetAction, ids: readonly string[]): Promise<boolean> => {
    const [first] = ids;
    if (first === undefined) return false;
    setBusy(true);
    try {
      if (ids.length === 1) {
        notify({ kind: 'success', text: t(await runAction(client, action, first)) });
      } else {
        const { done, failed } = summarizeBatch((await client.batch(action, [...ids])).results);
        const failures = failed.length ? `; ${t('batchFailed', { n: failed.length })}: ${failed[0]?.message ?? ''}` : '';
        notify({ kind: failed.length ? 'error' : 'success', text: `${t('batchDone', { n: done })}${failures}` });
      }
      return true;
    } catch (err) {
      notify({ kind: 'error', text: errorText(err, t) });
      return false;
    } finally {
      setBusy(false);
    }
  };

  return { busy, run };
}
