import type { BatchAction } from '../../shared/actions';
import type { BatchItemResult } from '../../shared/release';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';
import type { LearningService } from './learning';
import type { SenderListService } from './sender-lists';

/** What a copy's status is after each batch action succeeded. */
type Done = Extract<BatchItemResult, { ok: true }>['status'];

/** Ids worked on at once: amavisd serves a handful of AM.PDP children, and each release holds a row lock. */
const WORKERS = 3;

type Failure = Extract<BatchItemResult, { ok: false }>;

export interface BatchOptions {
  /** Told each id's result as it finishes, with how many are done so far. */
  onResult?: (result: BatchItemResult, done: number) => void;
  /** Once aborted (the server is shutting down), no further id is started; the started ones finish. */
  stop?: AbortSignal;
  /** Turns an error that is no AppError into that id's failure (and logs it); by default a generic `internal`. */
  onUnexpected?: (id: string, err: unknown) => Omit<Failure, 'id' | 'ok'>;
}

/** The message of an id a batch did not start because the server is shutting down. */
export const NOT_ATTEMPTED = 'not attempted: the server is shutting down; try again in a moment';

const internal = (): Omit<Failure, 'id' | 'ok'> => ({ code: 'internal', message: 'something went wrong on the server; the log has the details', httpStatus: 500 });

/**
 * Runs one action over many ids, each on its own: one failure does not stop the others, and each id
 * goes through exactly the checks (scope, policy, rs guard; CSRF in front) of the single action. Every
 * id gets a result, in the order sent; a copy already in the wished state counts as done, as the single
 * actions say.
 */
export async function runBatch(
  deps: { release: ReleaseService; requests: ReleaseRequestService; learning: LearningService; senderLists: SenderListService },
  user: SessionUser,
  action: BatchAction,
  ids: string[],
  options: BatchOptions = {},
): Promise<BatchItemResult[]> {
  const unique = [...new Set(ids)];
  const results = new Map<string, BatchItemResult>();
  const act = (id: string): Promise<Done> => actOn(deps, user, action, id);
  const settle = (result: BatchItemResult) => {
    results.set(result.id, result);
    options.onResult?.(result, results.size);
  };

  const queue = [...unique];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (options.stop?.aborted) {
        // Nothing was sent for this one: the client may simply try it again, on another instance.
        settle({ id, ok: false, code: 'busy', message: NOT_ATTEMPTED, httpStatus: 503 });
        continue;
      }
      try {
        settle({ id, ok: true, status: await act(id) });
      } catch (err) {
        // An unexpected error is this id's failure, never the batch's: the others' results (releases
        // that already went out among them) must reach the user.
        if (err instanceof AppError) settle({ id, ok: false, code: err.code, message: err.message, httpStatus: err.status });
        else settle({ id, ok: false, ...(options.onUnexpected?.(id, err) ?? internal()) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WORKERS, unique.length) }, worker));
  return unique.map((id) => results.get(id)!);
}

/** One id's action; what it became, or an AppError that is this id's failure. */
async function actOn(deps: Parameters<typeof runBatch>[0], user: SessionUser, action: BatchAction, id: string): Promise<Done> {
  switch (action) {
    case 'release':
      await deps.release.release(user, id);
      return 'released';
    case 'delete':
      await deps.release.remove(user, id);
      return 'deleted';
    case 'request':
      await deps.requests.request(user, id);
      return 'requested';
    case 'learn_spam':
    case 'learn_ham': {
      const result = await deps.learning.learn(user, id, action === 'learn_spam' ? 'spam' : 'ham');
      if (result.outcome === 'failed') throw new AppError(502, 'learning_failed', `SpamAssassin did not learn it: ${result.detail}`);
      return result.outcome === 'already' ? 'already_learned' : 'learned';
    }
    case 'not_spam': {
      const { steps } = await deps.learning.notSpam(user, id);
      const failed = steps.filter((s) => s.status === 'failed');
      if (failed.length)
        throw new AppError(502, 'not_spam_incomplete', steps.map((s) => `${s.step}: ${s.status === 'failed' ? `failed (${s.detail})` : s.status}`).join('; '));
      return 'not_spam';
    }
    case 'allow_sender':
    case 'block_sender':
      await deps.senderLists.fromMessage(user, id, action === 'allow_sender' ? 'allow' : 'block', {});
      return action === 'allow_sender' ? 'allowed' : 'blocked';
  }
}
