import { randomBytes } from 'node:crypto';
import { col, Op, where, type Sequelize } from 'sequelize';
import type { DigestFrequency, DigestLanguage } from '../../shared/digest';
import type { RecipientIdResolver } from '../amavis/recipient-ids';
import { sendFailureOf, type Mailer } from '../clients/mailer';
import { DIGEST_LOCK, withAdvisoryLock } from '../db/advisory-lock';
import type { DigestModels, DigestUserRow } from '../db/digest-models';
import type { Logger } from '../logger';
import type { AliasSource } from '../services/aliases';
import type { ReleasePolicy } from '../services/policy';
import { digestEntries, type DigestLinkSettings } from './digest-entries';
import { composeDigest } from './digest-mail';
import { refusalOf, type DigestRefusal } from './digest-refusals';
import { digestOwnersOf } from './digest-recipients';
import type { DigestScan } from './digest-scan';
import type { DigestSettingsService } from './digest-settings';

/*
 * The sending protocol (README, "Digests"). Everything runs under one advisory lock in AQ_APP_DB_URL, so one
 * instance sends at a time. Per user:
 *   1. claim: one transaction inserts the sent-log row (status `claimed`, the window of list ids) and sets
 *      the user's last_sent_at;
 *   2. send over AQ_SMTP_URL, with Message-ID <aq-digest-<log id>.…>;
 *   3. confirm: `sent`, and the user's cursor moves to the window's end.
 * A send the server refused (or that never got to the message data) is `failed`: last_sent_at goes back and
 * the next run tries again. A send whose answer was lost is `unknown`, and so is a claim left by a process
 * that died (settled by the next run): it may have been delivered, so nothing is sent again for it; the
 * cursor stays, and the user's next digest (once something new arrives, and the period has passed) lists
 * those copies again, marked. So a crash never sends one window twice, and never drops a copy.
 */

/** What one run did, by user address. */
export interface DigestRunReport {
  sent: string[];
  /** Not delivered: refused (4xx, 5xx) or never sent (connecting, TLS, the envelope). */
  failed: string[];
  /** Of those, the permanent refusals (5xx), with how many in a row and when the next try may be (digest-refusals.ts). */
  refused: DigestRefusal[];
  /** Due users not tried because their latest digests were refused permanently: they wait (digest-refusals.ts). */
  waiting: DigestRefusal[];
  unknown: string[];
  /** Due users whose new copies were all released or deleted meanwhile: no mail. */
  empty: string[];
  notDue: number;
  off: number;
  /** Claims of a process that died, settled as `unknown`. */
  abandoned: number;
}

export interface DigestRunner {
  /** Sends the digests that are due; null when another instance holds the lock. */
  runDue(now?: Date): Promise<DigestRunReport | null>;
  /** Sends one user's digest now, whatever the frequency (nothing when nothing is new); null when locked. */
  runUser(address: string, now?: Date): Promise<DigestRunReport | null>;
}

export interface DigestRunnerDeps {
  appSequelize: Sequelize;
  models: DigestModels;
  scan: DigestScan;
  recipients: RecipientIdResolver;
  aliases: AliasSource;
  settings: DigestSettingsService;
  mailer: Mailer;
  logger: Logger;
  config: {
    recipientDelimiter: string | undefined;
    retentionDays: number;
    releasePolicy: ReleasePolicy;
    maxEntries: number;
    webmailUrl: string | undefined;
    from: string;
    links: DigestLinkSettings;
  };
}

export const PERIOD: Record<Exclude<DigestFrequency, 'off'>, number> = { '4h': 4 * 3600_000, daily: 86_400_000, weekly: 7 * 86_400_000 };
/** A run a little early still counts (a cron job at 08:00 each day must not slip by one interval a day). */
const EARLY = 0.05;
/** A last digest this far in the future means a clock set back: it does not block. */
const CLOCK_SLACK_MS = 10 * 60_000;
const SCAN_CHUNK = 50_000;

/** Whether a user whose last digest went out at `last` is due again at `now`. A `last` in the future (a clock set back) does not block. */
export function isDue(frequency: DigestFrequency, last: Date | null, now: Date): boolean {
  if (frequency === 'off') return false;
  if (!last) return true;
  const since = now.getTime() - last.getTime();
  return since < -CLOCK_SLACK_MS || since >= PERIOD[frequency] * (1 - EARLY);
}

/** Creates the digest sender: the scan, the due check and the claim → send → confirm protocol above. */
export function createDigestRunner(deps: DigestRunnerDeps): DigestRunner {
  const { models, scan, config } = deps;
  const domain = config.from.slice(config.from.lastIndexOf('@') + 1) || 'localhost';

  /**
   * Claims left by a process that died between claim and confirm. A run holds the lock, so no other sender is
   * running: every `claimed` row it finds is abandoned (were its sender still alive after losing the lock's
   * connection, its own confirm would still land). Delivery unknown: the windows stay unconfirmed.
   */
  async function settleAbandoned(now: Date): Promise<number> {
    const abandoned = await models.Log.findAll({ where: { status: 'claimed' } });
    for (const row of abandoned) {
      await row.update({ status: 'unknown', settled_at: now, detail: 'the sender stopped before the outcome was recorded' });
      await models.User.update({ unconfirmed_to: row.to_id }, { where: { address: row.address, cursor_id: row.from_id } });
    }
    return abandoned.length;
  }

  /** Reads the list index from where the last scan stopped, and marks whose digests have something new. Returns the end. */
  async function scanNew(now: Date): Promise<{ from: number; to: number }> {
    const state = await models.State.findByPk('scanned_id');
    const to = await scan.maxId();
    // The first scan starts a day back: a new installation does not mail everyone their whole quarantine.
    let from = state ? Number(state.value) : await scan.idBefore(Math.floor(now.getTime() / 1000) - 86_400);
    if (to < from) {
      // The list index was rebuilt (npm run migrate after a drop): its ids started again, and every cursor with them.
      await models.User.update({ cursor_id: to, pending_id: to, unconfirmed_to: 0 }, { where: {} });
      from = to;
    }
    const startedAt = from;
    while (from < to) {
      const end = Math.min(to, from + SCAN_CHUNK);
      const owners = new Map<string, number>();
      for (const { email, maxId } of await scan.newRecipients(from, end)) {
        for (const owner of digestOwnersOf(email, { delimiter: config.recipientDelimiter, aliases: deps.aliases }))
          owners.set(owner, Math.max(owners.get(owner) ?? 0, maxId));
      }
      for (const [address, maxId] of owners) await markPending(address, maxId, startedAt);
      from = end;
    }
    await models.State.upsert({ name: 'scanned_id', value: to });
    return { from: startedAt, to };
  }

  async function markPending(address: string, maxId: number, cursor: number): Promise<void> {
    const [row, created] = await models.User.findOrCreate({ where: { address }, defaults: { address, cursor_id: cursor, pending_id: maxId, unconfirmed_to: 0 } });
    if (!created && Number(row.pending_id) < maxId) await models.User.update({ pending_id: maxId }, { where: { address } });
  }

  /** Claims, composes, sends and settles one user's digest of the list ids (cursor, to]. */
  async function sendOne(user: DigestUserRow, language: DigestLanguage, periodMs: number, to: number, now: Date, report: DigestRunReport): Promise<void> {
    const address = user.address;
    const cursor = Number(user.cursor_id);
    const addresses = [address, ...(await deps.aliases.aliasesOf(address))];
    const rids = await deps.recipients.forAddresses(addresses, config.recipientDelimiter ?? '');
    const floor = Math.floor(now.getTime() / 1000) - (config.retentionDays + 1) * 86_400;
    const { rows, total } = await scan.entries(rids, { from: cursor, to, floor }, config.maxEntries);
    if (total === 0) {
      await models.User.update({ cursor_id: to, unconfirmed_to: 0 }, { where: { address } });
      report.empty.push(address);
      return;
    }
    // Only what a digest of unknown fate listed: it is listed again once something new comes, not alone.
    if (Number(rows[0]?.list_id ?? 0) <= Number(user.unconfirmed_to)) {
      // What came after it is gone already (released, deleted): the user waits for the next new copy.
      await models.User.update({ unconfirmed_to: to }, { where: { address } });
      report.empty.push(address);
      return;
    }
    const previous = user.last_sent_at;
    const log = await deps.appSequelize.transaction(async (transaction) => {
      const claimed = await models.Log.create({ address, from_id: cursor, to_id: to, status: 'claimed', claimed_at: now, entries: total }, { transaction });
      await models.User.update({ last_sent_at: now }, { where: { address }, transaction });
      return claimed;
    });
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const entries = digestEntries(rows, {
      nowSeconds,
      retentionDays: config.retentionDays,
      policy: config.releasePolicy,
      language,
      links: config.links,
      unconfirmedTo: Number(user.unconfirmed_to),
    });
    const mail = composeDigest({ language, entries, more: total - entries.length, webmailUrl: config.webmailUrl });
    try {
      await deps.mailer.send({ to: [address], ...mail, messageId: `<aq-digest-${log.id}.${randomBytes(4).toString('hex')}@${domain}>`, language });
    } catch (err) {
      const outcome = sendFailureOf(err);
      const detail = (err as Error).message.slice(0, 1000);
      const permanent = outcome === 'refused' && Number((err as { responseCode?: number }).responseCode) >= 500;
      await log.update({ status: permanent ? 'refused' : outcome === 'refused' ? 'failed' : 'unknown', settled_at: new Date(), detail });
      // A temporary refusal is tried again at the next run. A permanent one (5xx) is not sent alone again: its
      // copies wait, like those of an unknown send, for the next digest with something new, a period later,
      // or later still after refusals in a row (digest-refusals.ts).
      if (permanent) report.refused.push((await refusalOf(models, address, periodMs))!);
      if (outcome === 'refused' && !permanent) await models.User.update({ last_sent_at: previous }, { where: { address } });
      else await models.User.update({ unconfirmed_to: to }, { where: { address } });
      (outcome === 'refused' ? report.failed : report.unknown).push(address);
      deps.logger.warn(
        { digestLog: log.id, outcome, err: detail },
        outcome === 'refused' ? 'digest: the mail server refused it; the next run tries again' : 'digest: sent, but no answer came; not sent again',
      );
      return;
    }
    await deps.appSequelize.transaction(async (transaction) => {
      await log.update({ status: 'sent', settled_at: new Date() }, { transaction });
      await models.User.update({ cursor_id: to, unconfirmed_to: 0 }, { where: { address }, transaction });
    });
    report.sent.push(address);
  }

  async function run(now: Date, only: string | undefined): Promise<DigestRunReport | null> {
    const result = await withAdvisoryLock(deps.appSequelize, DIGEST_LOCK, async () => {
      const report: DigestRunReport = {
        sent: [],
        failed: [],
        refused: [],
        waiting: [],
        unknown: [],
        empty: [],
        notDue: 0,
        off: 0,
        abandoned: await settleAbandoned(now),
      };
      const { from, to } = await scanNew(now);
      let users: DigestUserRow[];
      if (only) {
        const address = only.toLowerCase();
        await models.User.findOrCreate({ where: { address }, defaults: { address, cursor_id: from, pending_id: to, unconfirmed_to: 0 } });
        users = await models.User.findAll({ where: { address } });
      } else {
        // Those with a copy newer than what their last digest covered, or may have covered.
        const pending = await models.User.findAll({ where: where(col('pending_id'), Op.gt, col('cursor_id')) });
        users = pending.filter((u) => Number(u.pending_id) > Number(u.unconfirmed_to));
      }
      const settings = await deps.settings.effective(users.map((u) => u.address));
      for (const user of users) {
        const { frequency, language } = settings.get(user.address) ?? { frequency: 'off' as const, language: 'en' as const };
        if (!only && frequency === 'off') {
          // Off: what arrived meanwhile is not kept for a later digest (turning it on starts afresh).
          await models.User.update({ cursor_id: user.pending_id, unconfirmed_to: 0 }, { where: { address: user.address } });
          report.off++;
          continue;
        }
        if (!only && !isDue(frequency, user.last_sent_at ? new Date(user.last_sent_at) : null, now)) {
          report.notDue++;
          continue;
        }
        const periodMs = PERIOD[frequency === 'off' ? 'daily' : frequency];
        if (!only) {
          const refusal = await refusalOf(models, user.address, periodMs);
          // The same 5 % early slack as isDue: a cron job at a fixed hour does not slip a period.
          const wait = refusal && Date.parse(refusal.nextTryAt) - Date.parse(refusal.refusedAt);
          if (refusal && wait && now.getTime() < Date.parse(refusal.refusedAt) + wait * (1 - EARLY)) {
            report.waiting.push(refusal);
            continue;
          }
        }
        try {
          await sendOne(user, language, periodMs, to, now, report);
        } catch (err) {
          // One user's failure (a database hiccup) must not stop everyone else's digest.
          deps.logger.error({ err: (err as Error).message }, 'digest: one user’s digest failed; the next run retries');
          report.failed.push(user.address);
        }
      }
      return report;
    });
    return result.got ? result.value : null;
  }

  return {
    runDue: (now = new Date()) => run(now, undefined),
    runUser: (address, now = new Date()) => run(now, address),
  };
}
