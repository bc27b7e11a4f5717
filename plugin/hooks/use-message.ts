import { useCallback, useEffect, useState } from 'preact/hooks';
import type { MessageDetail } from '../../shared/message';
import type { ApiClient } from '../api/client';

/**
 * One message, loaded by id: `detail` once it is in, `error` when it could not be loaded (so the view
 * says so instead of loading forever). `reload` fetches it again after an action; a failed reload keeps
 * the detail already shown.
 */
export function useMessage(client: ApiClient, id: string) {
  const [detail, setDetail] = useState<MessageDetail | null>(null);
  const [error, setError] = useState<unknown>(null);

  const fetchDetail = useCallback(
    (isCurrent: () => boolean = () => true) =>
      client.message(id).then(
        (d) => {
          if (!isCurrent()) return;
          setDetail(d);
          setError(null);
        },
        (err: unknown) => {
          if (isCurrent()) setError(err);
        },
      ),
    [client, id],
  );

  useEffect(() => {
    let current = true;
    setDetail(null);
    setError(null);
    void fetchDetail(() => current);
    return () => {
      current = false;
    };
  }, [fetchDetail]);

  return { detail, error, reload: () => fetchDetail() };
}
