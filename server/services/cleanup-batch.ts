import { setTimeout as sleep } from 'node:timers/promises';
import type { CleanupStore, CleanupTransaction } from '../amavis/cleanup-sql';

/**
 * One short delete transaction of the cleanup (none in a dry run, which only counts): run again, up to
 * three times, when it lost a deadlock or a lock wait against amavisd's or the indexer's writes.
 */
export async function cleanupBatch<T>(store: CleanupStore, dryRun: boolean, work: (t: CleanupTransaction | undefined) => Promise<T>): Promise<T> {
  if (dryRun) return work(undefined);
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.transaction((t) => work(t));
    } catch (err) {
      if (attempt >= 3 || !store.isLockConflict(err)) throw err;
      await sleep(200 * attempt);
    }
  }
}
