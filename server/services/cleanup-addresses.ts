import { setTimeout as sleep } from 'node:timers/promises';
import type { CleanupStore, MaddrRow } from '../amavis/cleanup-sql';
import { byPartition, keyOf } from './cleanup-keys';
import { addSample, type CleanupReport } from './cleanup-report';

/** A deleted maddr row, kept until we know no message amavisd was processing still used it. */
export type DeletedAddress = MaddrRow;

/** What the address step of one run needs to know. */
export interface AddressStepSettings {
  dryRun: boolean;
  /** Addresses per delete transaction. */
  batchSize: number;
  /** Rows read per index walk query. */
  scanChunk: number;
  /** maddr rows that amavisd allocated less than this long ago are never deleted. */
  graceSeconds: number;
  /** How long to wait for mail amavisd is processing before checking deleted addresses. */
  settleTimeoutMs: number;
}

// amavisd kills a child after $child_timeout (8 min by default): mail whose msgs row has been content
// NULL for longer will never be finished.
const IN_FLIGHT_SECONDS = 15 * 60;
// Deleted addresses are checked (and memory freed) at least this often.
const ADDRESS_CHECKPOINT = 20_000;

/** Step 4: deletes (or counts) the maddr rows no message uses any more, guarded against amavisd's races. */
export async function cleanAddresses(store: CleanupStore, report: CleanupReport, settings: AddressStepSettings): Promise<void> {
  const { dryRun, batchSize, scanChunk } = settings;
  const horizon = await addressHorizon(store, settings.graceSeconds);
  report.addresses.horizonId = horizon;
  if (horizon === null) return;
  let pending: DeletedAddress[] = [];
  let after = '0';
  for (;;) {
    const rows = await store.addresses.addressesAfter(after, horizon, scanChunk);
    const unused = rows.filter((r) => !r.used).map((r) => r.id);
    for (let i = 0; i < unused.length; i += batchSize) {
      const ids = unused.slice(i, i + batchSize);
      if (dryRun) {
        report.addresses.rows += ids.length;
        addSample(report.addresses.sample, ids);
        continue;
      }
      const deleted = await deleteUnusedAddresses(store, ids);
      report.addresses.rows += deleted.length;
      addSample(
        report.addresses.sample,
        deleted.map((a) => a.id),
      );
      pending.push(...deleted);
      if (pending.length >= ADDRESS_CHECKPOINT) {
        await checkpoint(store, pending, report, settings.settleTimeoutMs);
        pending = [];
      }
    }
    const last = rows.at(-1);
    if (!last || rows.length < scanChunk) break;
    after = last.id;
  }
  if (pending.length > 0) await checkpoint(store, pending, report, settings.settleTimeoutMs);
}

/**
 * The newest maddr id we can prove amavisd allocated more than graceSeconds ago, or null.
 *
 * The race: amavisd inserts a new address into maddr (find_or_save_addr, autocommit) in
 * save_info_preliminary, before the msgs row that uses it as sid, and the recipient rows that use it
 * as rid only come with save_info_final, after the content checks (seconds, up to $child_timeout).
 * In between, a brand-new maddr row is used by nothing in the database, and deleting it would leave
 * that mail pointing at a missing address. maddr has no timestamp, and "max(id) minus a margin" says
 * nothing about time on a quiet server. But auto_increment ids grow with time, so the largest id used
 * by the newest messages received more than graceSeconds ago (time_num, indexed) was allocated before
 * those messages were processed: every id up to it is at least that old, far past any processing.
 * Newer orphans wait for a later run.
 */
async function addressHorizon(store: CleanupStore, graceSeconds: number): Promise<string | null> {
  const newest = await store.addresses.newestMessagesBefore(Math.floor(Date.now() / 1000) - graceSeconds, 100);
  let horizon: bigint | null = null;
  const consider = (id: string | null | undefined) => {
    if (id !== null && id !== undefined && (horizon === null || BigInt(id) > horizon)) horizon = BigInt(id);
  };
  newest.forEach((m) => consider(m.sid));
  for (const [p, ids] of byPartition(newest)) consider(await store.addresses.maxRecipientId(p, ids));
  return horizon === null ? null : String(horizon);
}

/**
 * Deletes these maddr rows if no message uses them now; returns the rows deleted. Only the maddr rows
 * are locked. Uses are checked with plain reads: a locking read (or a NOT EXISTS inside the DELETE)
 * would put gap locks on msgrcpt's rid index and msgs' sid index, and amavisd's inserts of new
 * addresses, which land at the top of those indexes, would wait for us. A use written after the read
 * is what checkpoint() catches.
 */
function deleteUnusedAddresses(store: CleanupStore, ids: string[]): Promise<DeletedAddress[]> {
  return store.transaction(async (t) => {
    const rows = await store.addresses.lockAddresses(ids, t);
    const used = await store.addresses.usedAddressIds(ids, t);
    const unused = rows.filter((r) => !used.has(r.id));
    if (unused.length > 0)
      await store.addresses.deleteAddresses(
        unused.map((r) => r.id),
        t,
      );
    return unused;
  });
}

/**
 * The second race, which no horizon can prevent: amavisd may have looked up an OLD address (one no
 * stored message uses any more) for a mail it is processing right now, and will write that id into
 * msgrcpt (or msgs.sid) after we deleted the row. So after deleting, wait until the mail amavisd was
 * processing is done, then look for any use of the deleted ids and put those addresses back.
 */
async function checkpoint(store: CleanupStore, deleted: DeletedAddress[], report: CleanupReport, settleTimeoutMs: number) {
  // A lookup happens a few milliseconds before amavisd inserts the msgs row (content NULL) that makes
  // the mail visible as "in flight": give it that long before taking the list.
  await sleep(1000);
  const inFlight = async () => new Set((await store.addresses.inFlightMessages(Math.floor(Date.now() / 1000) - IN_FLIGHT_SECONDS)).map(keyOf));
  let waiting = await inFlight();
  const deadline = Date.now() + settleTimeoutMs;
  while (waiting.size > 0 && Date.now() < deadline) {
    await sleep(500);
    const now = await inFlight();
    waiting = new Set([...waiting].filter((k) => now.has(k)));
  }
  if (waiting.size > 0) {
    report.warnings.push(
      `${waiting.size} message(s) were still being processed by amavisd after ${Math.round(settleTimeoutMs / 1000)} s; addresses they use were checked up to then`,
    );
  }
  report.addresses.restored += await restoreAddresses(store, deleted);
}

/**
 * Puts back deleted maddr rows that a message uses after all (see checkpoint): with their old id, so
 * that amavisd processes still holding that id stay right; or, when amavisd has meanwhile inserted the
 * address again under a new id, by pointing the message's rows at that one. Returns how many it repaired.
 */
export async function restoreAddresses(store: CleanupStore, deleted: readonly DeletedAddress[]): Promise<number> {
  let restored = 0;
  for (let i = 0; i < deleted.length; i += 1000) {
    const chunk = deleted.slice(i, i + 1000);
    const used = await store.addresses.usedAddressIds(chunk.map((a) => a.id));
    for (const address of chunk.filter((a) => used.has(a.id))) {
      for (let attempt = 1; ; attempt++) {
        try {
          await store.transaction(async (t) => {
            const again = await store.addresses.addressIdByEmail(address, t);
            if (again === undefined) await store.addresses.insertAddress(address, t);
            else await store.addresses.repointAddress(address.id, again, t);
          });
          break;
        } catch (err) {
          // amavisd inserted the address between our SELECT and INSERT: the next attempt repoints.
          if (attempt >= 2 || !store.isDuplicateKey(err)) throw err;
        }
      }
      restored++;
    }
  }
  return restored;
}
