import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';

export type BatchAction = 'release' | 'delete' | 'request';

/** One id's outcome in a batch: its own status and, on failure, its own error code and message. */
export type BatchResult = { id: string; ok: true; status: string } | { id: string; ok: false; code: string; message: string; status: number };

/**
 * Runs one action over many ids, each on its own: one failure does not stop the others, and each id
 * goes through exactly the checks (scope, policy, CSRF in front) of the single action.
 */
export async function runBatch(deps: { release: ReleaseService; requests: ReleaseRequestService }, user: SessionUser, action: BatchAction, ids: string[]): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  // A few at a time: amavisd serves a handful of AM.PDP children, and each release holds a row lock.
  const queue = [...new Set(ids)];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        if (action === 'release') results.push({ id, ok: true, status: (await deps.release.release(user, id)).status });
        else if (action === 'delete') results.push({ id, ok: true, status: (await deps.release.remove(user, id)).status });
        else results.push({ id, ok: true, status: (await deps.requests.request(user, id)).status });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ id, ok: false, code: err.code, message: err.message, status: err.status });
      }
    }
  };
  await Promise.all(Array.from({ length: 3 }, worker));
  const order = new Map(ids.map((id, i) => [id, i]));
  return results.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}
