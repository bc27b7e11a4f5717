import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { binaryText } from '../db/binary';
import type { SessionUser } from '../../shared/session';
import { PdpError, type PdpClient } from '../clients/amavis-pdp';
import type { PdpSetReply } from '../clients/pdp-protocol';
import type { Config } from '../config';
import { AppError } from '../errors';
import { typeOfContent } from './amavis-codes';
import type { AuditEntry, AuditLog } from './audit';
import { encodeMessageRef as encodeRef, type MessageRef } from './message-ref';
import type { MessageService } from './messages';

/** What a release did for one recipient's copy. */
export interface ReleaseOutcome {
  id: string;
  status: 'released';
  /** True when an earlier release had already delivered it: nothing was sent this time. */
  alreadyReleased: boolean;
  reply: PdpSetReply | null;
}

/** An admin's explicit, logged choice of where a release goes instead of the row's own recipient. */
export type AdminTarget = { allRecipients: true } | { to: string };

/** What an admin release did, per address. */
export interface AdminReleaseOutcome {
  id: string;
  results: Array<{ recipient: string; delivered: boolean; reply: PdpSetReply | null }>;
}

export interface ReleaseService {
  /** Releases one recipient's copy to that recipient, through amavisd's AM.PDP. */
  release(user: SessionUser, id: string): Promise<ReleaseOutcome>;
  /** Admins: release to every blocked recipient in their scope, or to another address. */
  releaseAsAdmin(user: SessionUser, id: string, target: AdminTarget): Promise<AdminReleaseOutcome>;
  /** Marks one recipient's copy deleted (rs='D'); amavis's rows stay until the cleanup. */
  remove(user: SessionUser, id: string): Promise<{ id: string; status: 'deleted' }>;
  /**
   * Super users only: removes the whole message (msgs, msgrcpt, quarantine) in one transaction, and only
   * when every recipient's copy is released or deleted, so no one loses mail they still have to decide on.
   */
  purge(user: SessionUser, id: string): Promise<{ id: string; status: 'purged' }>;
}

const isAdmin = (user: SessionUser) => user.role !== 'user';
const describeReply = (r: PdpSetReply) => `${r.code} ${r.enhanced ?? ''} ${r.text}`.replace(/\s+/g, ' ').trim();

/**
 * A delivered release is a 2xx from the re-injecting MTA. amavisd's "250 2.5.0 No recipients, nothing to
 * do" is a 2xx too, but nothing was delivered, so it is a failure here.
 */
export function isDelivered(reply: PdpSetReply | undefined): boolean {
  return Boolean(reply && reply.code >= 200 && reply.code < 300 && !(reply.enhanced === '2.5.0' && /no recipients/i.test(reply.text)));
}

type Deps = {
  sequelize: Sequelize;
  messages: MessageService;
  /** The AM.PDP client for the amavis host that stored a message (msgs.host). */
  pdpFor: (host: string) => PdpClient;
  audit: AuditLog;
  config: Pick<Config, 'releasePolicy'>;
};

/** Creates the release service. */
export function createReleaseService(deps: Deps): ReleaseService {
  const { sequelize } = deps;
  const mysql = sequelize.getDialect() !== 'sqlite';
  // Concurrent releases of one row by one user in this process share one attempt; across users and
  // instances the row lock below serialises them.
  const inFlight = new Map<string, Promise<ReleaseOutcome>>();
  const key = (ref: Omit<MessageRef, 'rseqnum'>) => ({ p: ref.partitionTag, m: Buffer.from(ref.mailId) });

  async function messageFacts(ref: MessageRef): Promise<{ secretId: string; host: string }> {
    const [row] = await sequelize.query<{ secret_id: Buffer | string; host: string }>(
      'SELECT secret_id, host FROM msgs WHERE partition_tag = :p AND mail_id = :m',
      { type: QueryTypes.SELECT, replacements: key(ref) },
    );
    return { secretId: binaryText(row?.secret_id), host: row?.host ?? '' };
  }

  /**
   * Locks the message's msgrcpt rows (or one of them) for the transaction. Only msgrcpt is locked: a
   * lock on maddr would hold up amavisd, which reads those rows while it stores new mail.
   */
  async function lockedRows(ref: MessageRef, transaction: Transaction, rseqnum?: number): Promise<Array<{ rseqnum: number; rs: string; email: string }>> {
    const only = rseqnum === undefined ? '' : ' AND rseqnum = :r';
    const rows = await sequelize.query<{ rseqnum: number; rs: string; rid: string }>(
      `SELECT rseqnum, rs, rid FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m${only}${mysql ? ' FOR UPDATE' : ''}`,
      { type: QueryTypes.SELECT, transaction, replacements: { ...key(ref), r: rseqnum } },
    );
    if (rows.length === 0) return [];
    const addresses = await sequelize.query<{ id: string; email: Buffer | string }>('SELECT id, email FROM maddr WHERE id IN (:ids)', {
      type: QueryTypes.SELECT,
      transaction,
      replacements: { ids: rows.map((r) => r.rid) },
    });
    const byId = new Map(addresses.map((a) => [String(a.id), binaryText(a.email)]));
    return rows.map((r) => ({ rseqnum: Number(r.rseqnum), rs: r.rs, email: byId.get(String(r.rid)) ?? '' }));
  }

  async function setRs(ref: MessageRef, rs: string, transaction?: Transaction): Promise<void> {
    await sequelize.query('UPDATE msgrcpt SET rs = :rs WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r', {
      replacements: { rs, ...key(ref), r: ref.rseqnum },
      ...(transaction ? { transaction } : {}),
    });
  }

  async function assertNotPurged(user: SessionUser, ref: MessageRef, recipients: string[], transaction: Transaction): Promise<void> {
    const found = await sequelize.query('SELECT 1 FROM quarantine WHERE partition_tag = :p AND mail_id = :m LIMIT 1', {
      type: QueryTypes.SELECT,
      transaction,
      replacements: key(ref),
    });
    if (found.length > 0) return;
    for (const recipient of recipients) {
      await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: 'the quarantined copy was purged' });
    }
    throw new AppError(410, 'gone', 'the quarantined copy of this message has been purged');
  }

  /**
   * Sends one AM.PDP release for these recipients and returns amavisd's setreply for each, in order.
   * When amavisd cannot be asked, every recipient's attempt is audited and the error says which case it is.
   */
  async function askAmavis(user: SessionUser, ref: MessageRef, recipients: string[], note?: string): Promise<Array<PdpSetReply | undefined>> {
    const facts = await messageFacts(ref);
    try {
      const answer = await deps.pdpFor(facts.host).request([
        ['request', 'release'],
        ['mail_id', ref.mailId],
        ['secret_id', facts.secretId],
        ['partition_tag', String(ref.partitionTag)],
        ['quar_type', 'Q'],
        // Always name the recipients: without any, amavisd re-sends to every blocked recipient.
        ...recipients.map((r) => ['recipient', `<${r}>`] as const),
        ['requested_by', `<${user.email}>`],
      ]);
      // One setreply per named recipient, in the order they were named. A lone request-level failure
      // (e.g. a secret mismatch) answers for all of them.
      return recipients.map((_, i) => answer.setReplies[i] ?? (answer.setReplies.length === 1 ? answer.setReplies[0] : undefined));
    } catch (err) {
      if (!(err instanceof PdpError)) throw err;
      const unknown = err.kind === 'reply_timeout' || (err.sent && err.kind !== 'smtp_listener');
      for (const recipient of recipients) {
        await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: unknown ? 'unknown' : 'failed', detail: note ? `${note}; ${err.message}` : err.message });
      }
      // After the request went out, it may have been delivered: a person decides; nothing is retried.
      if (unknown) throw new AppError(504, 'release_unknown', `amavisd did not answer in time; the message may or may not have been delivered (${err.message})`);
      throw new AppError(503, 'amavis_unavailable', `the release service (amavisd) cannot be reached: ${err.message}`);
    }
  }

  async function releaseOnce(user: SessionUser, id: string): Promise<ReleaseOutcome> {
    const { ref, row } = await deps.messages.findAccessible(user, id);
    const recipient = binaryText(row.recipient);
    const type = typeOfContent(row.content);
    const mode = type === 'other' ? 'direct' : deps.config.releasePolicy[type];
    if (!isAdmin(user) && mode !== 'direct') {
      throw new AppError(
        403,
        'forbidden',
        mode === 'request' ? 'this kind of message is released by an administrator: request its release instead' : 'only an administrator can release this kind of message',
      );
    }

    const outcome = await sequelize.transaction(async (transaction) => {
      const [locked] = await lockedRows(ref, transaction, ref.rseqnum);
      if (locked?.rs === 'R') return { id, status: 'released' as const, alreadyReleased: true, reply: null };
      await assertNotPurged(user, ref, [recipient], transaction);
      const [reply] = await askAmavis(user, ref, [recipient]);
      if (!reply || !isDelivered(reply)) {
        const said = reply ? describeReply(reply) : 'amavisd gave no answer for this recipient';
        await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'failed', smtpCode: reply?.code ?? null, reply: said });
        const gone = Boolean(reply && /can't open sql obj/i.test(reply.text));
        throw new AppError(gone ? 410 : 502, gone ? 'gone' : 'release_failed', `amavisd did not release the message: ${said}`, { reply: reply ?? null });
      }
      await setRs(ref, 'R', transaction);
      return { id, status: 'released' as const, alreadyReleased: false, reply };
    });
    // Recorded after the commit: a log write must never wait on the row lock held for the release.
    if (outcome.reply) {
      await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'ok', smtpCode: outcome.reply.code, reply: describeReply(outcome.reply) });
    }
    return outcome;
  }

  async function releaseAsAdmin(user: SessionUser, id: string, target: AdminTarget): Promise<AdminReleaseOutcome> {
    if (!isAdmin(user)) throw new AppError(403, 'forbidden', 'only administrators can release to other recipients');
    const { ref } = await deps.messages.findAccessible(user, id);
    const entries: AuditEntry[] = [];
    const outcome = await sequelize.transaction(async (transaction) => {
      let targets: Array<{ email: string; rseqnum?: number }>;
      if ('to' in target) {
        targets = [{ email: target.to.toLowerCase() }];
      } else {
        // Every recipient row still held back, within the admin's own scope (a domain admin releases
        // to their domains' recipients only).
        const rows = (await lockedRows(ref, transaction)).filter((r) => r.rs !== 'R' && r.rs !== 'D');
        const inScope = await Promise.all(
          rows.map(async (r) => {
            try {
              await deps.messages.findAccessible(user, encodeRef({ ...ref, rseqnum: r.rseqnum }));
              return true;
            } catch {
              return false;
            }
          }),
        );
        targets = rows.filter((_, i) => inScope[i]).map((r) => ({ email: r.email, rseqnum: r.rseqnum }));
        if (targets.length === 0) throw new AppError(409, 'conflict', 'no recipient in your scope is still waiting for this message');
      }
      const note = 'to' in target ? `admin release to another address: ${target.to}` : 'admin release to all blocked recipients';
      await assertNotPurged(user, ref, targets.map((t) => t.email), transaction);
      const replies = await askAmavis(user, ref, targets.map((t) => t.email), note);
      const results: AdminReleaseOutcome['results'] = [];
      for (const [i, t] of targets.entries()) {
        const reply = replies[i];
        const delivered = isDelivered(reply);
        // Only a copy released to its own recipient counts as released; a copy sent elsewhere does not.
        if (delivered && t.rseqnum !== undefined) await setRs({ ...ref, rseqnum: t.rseqnum }, 'R', transaction);
        entries.push({
          actor: user.email,
          action: 'release',
          ref: t.rseqnum === undefined ? { partitionTag: ref.partitionTag, mailId: ref.mailId } : { ...ref, rseqnum: t.rseqnum },
          recipient: t.email,
          result: delivered ? 'ok' : 'failed',
          smtpCode: reply?.code ?? null,
          reply: reply ? describeReply(reply) : null,
          detail: note,
        });
        results.push({ recipient: t.email, delivered, reply: reply ?? null });
      }
      return { id, results };
    });
    for (const entry of entries) await deps.audit.record(entry);
    return outcome;
  }

  return {
    release(user, id) {
      // Keyed by user too: a shared attempt must never hand one user's result to another unchecked.
      const flightKey = `${user.email}\n${id}`;
      let attempt = inFlight.get(flightKey);
      if (!attempt) {
        attempt = releaseOnce(user, id).finally(() => inFlight.delete(flightKey));
        inFlight.set(flightKey, attempt);
      }
      return attempt;
    },

    releaseAsAdmin,

    async remove(user, id) {
      const { ref, row } = await deps.messages.findAccessible(user, id);
      await setRs(ref, 'D');
      await deps.audit.record({ actor: user.email, action: 'delete', ref, recipient: binaryText(row.recipient), result: 'ok' });
      return { id, status: 'deleted' };
    },

    async purge(user, id) {
      if (user.role !== 'super') throw new AppError(403, 'forbidden', 'only super users can purge a message');
      const { ref } = await deps.messages.findAccessible(user, id);
      await sequelize.transaction(async (transaction) => {
        const open = (await lockedRows(ref, transaction)).filter((r) => r.rs !== 'D' && r.rs !== 'R').length;
        if (open > 0) throw new AppError(409, 'conflict', `${open} recipient(s) have not released or deleted this message yet; it cannot be purged`);
        for (const table of ['quarantine', 'msgrcpt', 'msgs']) {
          await sequelize.query(`DELETE FROM ${table} WHERE partition_tag = :p AND mail_id = :m`, { transaction, replacements: key(ref) });
        }
      });
      await deps.audit.record({ actor: user.email, action: 'purge', ref: { partitionTag: ref.partitionTag, mailId: ref.mailId }, result: 'ok' });
      return { id, status: 'purged' };
    },
  };
}
