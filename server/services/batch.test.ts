import { describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '../../shared/session';
import { AppError } from '../errors';
import { NOT_ATTEMPTED, runBatch } from './batch';
import type { ReleaseRequestService } from './release-requests';
import type { ReleaseService } from './release';
import type { LearningService } from './learning';
import type { SenderListService } from './sender-lists';

const user: SessionUser = { email: 'alice@example.test', role: 'user', addresses: ['alice@example.test'], domains: [] } as unknown as SessionUser;

/** A release service whose `release` does what `behave` says for each id; the rest is never called. */
function fakeDeps(behave: (id: string) => Promise<unknown>) {
  const release = { release: vi.fn((_user: SessionUser, id: string) => behave(id)), remove: vi.fn((_user: SessionUser, id: string) => behave(id)) };
  const requests = { request: vi.fn((_user: SessionUser, id: string) => behave(id)) };
  const learning = {
    learn: vi.fn(async (_user: SessionUser, id: string, as: 'spam' | 'ham') => {
      await behave(id);
      return {
        as,
        outcome: id.startsWith('again') ? 'already' : id.startsWith('sa-down') ? 'failed' : 'learned',
        detail: id.startsWith('sa-down') ? 'connection refused' : '',
      };
    }),
    notSpam: vi.fn(async (_user: SessionUser, id: string) => {
      await behave(id);
      return {
        steps: [
          { step: 'release', status: 'done', detail: '' },
          { step: 'learn', status: id.startsWith('sa-down') ? 'failed' : 'done', detail: 'connection refused' },
          { step: 'allow', status: 'done', detail: '' },
        ],
      };
    }),
  };
  const senderLists = { fromMessage: vi.fn((_user: SessionUser, id: string) => behave(id)) };
  return {
    release: release as unknown as ReleaseService,
    requests: requests as unknown as ReleaseRequestService,
    learning: learning as unknown as LearningService,
    senderLists: senderLists as unknown as SenderListService,
    calls: release,
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('runBatch', () => {
  it('answers every id in the order sent, each with its own outcome', async () => {
    const deps = fakeDeps(async (id) => {
      await tick();
      if (id === 'mine-not') throw new AppError(404, 'not_found', 'no such message in your quarantine');
      return { id, status: 'released', alreadyReleased: false, reply: null };
    });
    const results = await runBatch(deps, user, 'release', ['a', 'mine-not', 'b', 'a']);
    expect(results).toEqual([
      { id: 'a', ok: true, status: 'released' },
      { id: 'mine-not', ok: false, code: 'not_found', message: 'no such message in your quarantine', httpStatus: 404 },
      { id: 'b', ok: true, status: 'released' },
    ]);
    expect(deps.calls.release).toHaveBeenCalledTimes(3);
  });

  it('makes an unexpected error that id\u2019s failure, and goes on with the others', async () => {
    const deps = fakeDeps(async (id) => {
      await tick();
      if (id === 'broken') throw new TypeError("Cannot read properties of undefined (reading 'open')");
      return { id, status: 'deleted' };
    });
    const ids = Array.from({ length: 10 }, (_, i) => (i === 3 ? 'broken' : `m${i}`));
    const seen: unknown[] = [];
    const results = await runBatch(deps, user, 'delete', ids, {
      onUnexpected: (id, err) => (seen.push([id, (err as Error).name]), { code: 'internal', message: 'generic', httpStatus: 500 }),
    });
    expect(results.filter((r) => r.ok)).toHaveLength(9);
    expect(results[3]).toEqual({ id: 'broken', ok: false, code: 'internal', message: 'generic', httpStatus: 500 });
    expect(seen).toEqual([['broken', 'TypeError']]);
  });

  it('without a handler, an unexpected error is a generic internal failure that leaks nothing', async () => {
    const deps = fakeDeps(() => Promise.reject(new Error('SQLITE_BUSY: database is locked at /var/lib/secret.sqlite')));
    const [result] = await runBatch(deps, user, 'request', ['x']);
    expect(result).toEqual({ id: 'x', ok: false, code: 'internal', message: 'something went wrong on the server; the log has the details', httpStatus: 500 });
  });

  it('counts a copy already in the wished state as done', async () => {
    const deps = fakeDeps((id) => Promise.resolve({ id, status: 'released', alreadyReleased: true, reply: null }));
    expect(await runBatch(deps, user, 'release', ['r'])).toEqual([{ id: 'r', ok: true, status: 'released' }]);
  });

  it('reports progress as each id finishes: done counts 1 to total, every id once', async () => {
    const deps = fakeDeps(async (id) => {
      // Out of order on purpose: progress follows completion, the final list follows the ids sent.
      await new Promise((resolve) => setTimeout(resolve, id === 'slow' ? 20 : 1));
      return { id, status: 'deleted' };
    });
    const progress: Array<[string, number]> = [];
    const ids = ['slow', 'b', 'c', 'd', 'e'];
    const results = await runBatch(deps, user, 'delete', ids, { onResult: (r, done) => progress.push([r.id, done]) });
    expect(progress.map(([, done]) => done)).toEqual([1, 2, 3, 4, 5]);
    expect(progress.map(([id]) => id).sort()).toEqual([...ids].sort());
    expect(progress.at(-1)?.[0]).toBe('slow');
    expect(results.map((r) => r.id)).toEqual(ids);
  });

  it('once stopped, starts no further id: the started ones finish, the rest say they were not attempted', async () => {
    const stop = new AbortController();
    let started = 0;
    const deps = fakeDeps(async (id) => {
      started++;
      if (started === 3) stop.abort();
      await tick();
      return { id, status: 'released', alreadyReleased: false, reply: null };
    });
    const ids = Array.from({ length: 8 }, (_, i) => `m${i}`);
    const results = await runBatch(deps, user, 'release', ids, { stop: stop.signal });
    expect(started).toBe(3);
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(results.slice(3)).toEqual(ids.slice(3).map((id) => ({ id, ok: false, code: 'busy', message: NOT_ATTEMPTED, httpStatus: 503 })));
  });

  it('learns, says what was already learned, and reports a failed step of "Not spam" as that id\u2019s failure', async () => {
    const deps = fakeDeps(() => Promise.resolve());
    expect(await runBatch(deps, user, 'learn_spam', ['new', 'again', 'sa-down'])).toEqual([
      { id: 'new', ok: true, status: 'learned' },
      { id: 'again', ok: true, status: 'already_learned' },
      { id: 'sa-down', ok: false, code: 'learning_failed', message: 'SpamAssassin did not learn it: connection refused', httpStatus: 502 },
    ]);
    const notSpam = await runBatch(deps, user, 'not_spam', ['fine', 'sa-down']);
    expect(notSpam[0]).toEqual({ id: 'fine', ok: true, status: 'not_spam' });
    expect(notSpam[1]).toMatchObject({ id: 'sa-down', ok: false, code: 'not_spam_incomplete', httpStatus: 502 });
    expect((notSpam[1] as { message: string }).message).toBe('release: done; learn: failed (connection refused); allow: done');
    expect(await runBatch(deps, user, 'block_sender', ['x'])).toEqual([{ id: 'x', ok: true, status: 'blocked' }]);
  });
});
