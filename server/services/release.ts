import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { SessionUser } from '../../shared/session';
import { PdpError, type PdpClient } from '../clients/amavis-pdp';
import type { PdpSetReply } from '../clients/pdp-protocol';
import type { Config } from '../config';
import { AppError } from '../errors';
import { typeOfContent } from './amavis-codes';
import type { AuditLog } from './audit';
import type { MessageRef } from './message-ref';
import type { MessageService } from './messages';

/** What a release did for one recipient's copy. */
export interface ReleaseOutcome {
  id: string;
  status: 'released';
  /** True when an earlier release had already delivered it: nothing was sent this time. */
  alreadyReleased: boolean;
  reply: PdpSetReply | null;
}

export interface ReleaseService {
  /** Releases one recipient's copy to that recipient, through amavisd's AM.PDP. */
  release(user: SessionUser, id: string): Promise<ReleaseOutcome>;
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

/** Creates the release service. */
export function createReleaseService(deps: {
  sequelize: Sequelize;
  messages: MessageService;
  pdp: PdpClient;
  audit: AuditLog;
  config: Pick<Config, 'releasePolicy'>;
}): ReleaseService {
  const { sequelize } = deps;
  const mysql = sequelize.getDialect() !== 'sqlite';
  // Concurrent releases of one row in this process share one attempt; across instances the row lock
  // below serialises them.
  const inFlight = new Map<string, Promise<ReleaseOutcome>>();

  async function lockedRs(ref: MessageRef, transaction: Transaction): Promise<string | undefined> {
    const [row] = await sequelize.query<{ rs: string }>(
      `SELECT rs FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r${mysql ? ' FOR UPDATE' : ''}`,
      { type: QueryTypes.SELECT, transaction, replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum } },
    );
    return row?.rs;
  }

  async function setRs(ref: MessageRef, rs: string, transaction?: Transaction): Promise<void> {
    await sequelize.query('UPDATE msgrcpt SET rs = :rs WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r', {
      replacements: { rs, p: ref.partitionTag, m: Buffer.from(ref.mailId), r: ref.rseqnum },
      ...(transaction ? { transaction } : {}),
    });
  }

  async function releaseOnce(user: SessionUser, id: string): Promise<ReleaseOutcome> {
    const { ref, row } = await deps.messages.findAccessible(user, id);
    const recipient = Buffer.isBuffer(row.recipient) ? row.recipient.toString('utf8') : String(row.recipient ?? '');
    const type = typeOfContent(row.content);
    const mode = type === 'other' ? 'direct' : deps.config.releasePolicy[type];
    if (!isAdmin(user) && mode !== 'direct') {
      throw new AppError(
        403,
        'forbidden',
        mode === 'request' ? 'this kind of message is released by an administrator: request its release instead' : 'only an administrator can release this kind of message',
      );
    }
    if (row.rs === 'D' && !isAdmin(user)) throw new AppError(404, 'not_found', 'no such message in your quarantine');

    const [secret] = await sequelize.query<{ secret_id: Buffer | string }>('SELECT secret_id FROM msgs WHERE partition_tag = :p AND mail_id = :m', {
      type: QueryTypes.SELECT,
      replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId) },
    });
    const secretId = secret ? (Buffer.isBuffer(secret.secret_id) ? secret.secret_id.toString('utf8') : secret.secret_id) : '';

    return sequelize.transaction(async (transaction) => {
      const rs = await lockedRs(ref, transaction);
      if (rs === 'R') return { id, status: 'released' as const, alreadyReleased: true, reply: null };
      const purged = await sequelize.query('SELECT 1 FROM quarantine WHERE partition_tag = :p AND mail_id = :m LIMIT 1', {
        type: QueryTypes.SELECT,
        transaction,
        replacements: { p: ref.partitionTag, m: Buffer.from(ref.mailId) },
      });
      if (purged.length === 0) {
        await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: 'the quarantined copy was purged' });
        throw new AppError(410, 'gone', 'the quarantined copy of this message has been purged');
      }

      let reply: PdpSetReply | undefined;
      try {
        const answer = await deps.pdp.request([
          ['request', 'release'],
          ['mail_id', ref.mailId],
          ['secret_id', secretId],
          ['partition_tag', String(ref.partitionTag)],
          ['quar_type', 'Q'],
          // Always name the recipient: without it amavisd re-sends to every blocked recipient.
          ['recipient', `<${recipient}>`],
          ['requested_by', `<${user.email}>`],
        ]);
        // One recipient was named, so its answer is the one setreply; anything else is not a delivery.
        reply = answer.setReplies.length === 1 ? answer.setReplies[0] : answer.setReplies.find((r) => !isDelivered(r)) ?? answer.setReplies[0];
      } catch (err) {
        if (!(err instanceof PdpError)) throw err;
        if (err.kind === 'reply_timeout' || (err.sent && err.kind !== 'smtp_listener')) {
          // It may have been delivered: record it as unknown and let a person decide; no automatic retry.
          await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'unknown', detail: err.message });
          throw new AppError(504, 'release_unknown', `amavisd did not answer in time; the message may or may not have been delivered (${err.message})`);
        }
        await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'failed', detail: err.message });
        throw new AppError(503, 'amavis_unavailable', `the release service (amavisd) cannot be reached: ${err.message}`);
      }

      if (!reply || !isDelivered(reply)) {
        const text = reply ? describeReply(reply) : 'amavisd gave no answer for this recipient';
        await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'failed', smtpCode: reply?.code ?? null, reply: text });
        const code = reply && /can't open sql obj/i.test(reply.text) ? 410 : 502;
        throw new AppError(code, code === 410 ? 'gone' : 'release_failed', `amavisd did not release the message: ${text}`, { reply: reply ?? null });
      }
      await setRs(ref, 'R', transaction);
      await deps.audit.record({ actor: user.email, action: 'release', ref, recipient, result: 'ok', smtpCode: reply.code, reply: describeReply(reply) });
      return { id, status: 'released' as const, alreadyReleased: false, reply };
    });
  }

  return {
    release(user, id) {
      // Keyed by user too: a shared attempt must never hand one user's result to another unchecked.
      const key = `${user.email}\n${id}`;
      let attempt = inFlight.get(key);
      if (!attempt) {
        attempt = releaseOnce(user, id).finally(() => inFlight.delete(key));
        inFlight.set(key, attempt);
      }
      return attempt;
    },

    async remove(user, id) {
      const { ref, row } = await deps.messages.findAccessible(user, id);
      const recipient = Buffer.isBuffer(row.recipient) ? row.recipient.toString('utf8') : String(row.recipient ?? '');
      await setRs(ref, 'D');
      await deps.audit.record({ actor: user.email, action: 'delete', ref, recipient, result: 'ok' });
      return { id, status: 'deleted' };
    },

    async purge(user, id) {
      if (user.role !== 'super') throw new AppError(403, 'forbidden', 'only super users can purge a message');
      const { ref } = await deps.messages.findAccessible(user, id);
      const key = { p: ref.partitionTag, m: Buffer.from(ref.mailId) };
      await sequelize.transaction(async (transaction) => {
        const rows = await sequelize.query<{ rs: string }>(
          `SELECT rs FROM msgrcpt WHERE partition_tag = :p AND mail_id = :m${mysql ? ' FOR UPDATE' : ''}`,
          { type: QueryTypes.SELECT, transaction, replacements: key },
        );
        const open = rows.filter((r) => r.rs !== 'D' && r.rs !== 'R').length;
        if (open > 0) {
          throw new AppError(409, 'conflict', `${open} recipient(s) have not released or deleted this message yet; it cannot be purged`);
        }
        for (const table of ['quarantine', 'msgrcpt', 'msgs']) {
          await sequelize.query(`DELETE FROM ${table} WHERE partition_tag = :p AND mail_id = :m`, { transaction, replacements: key });
        }
      });
      await deps.audit.record({ actor: user.email, action: 'purge', ref: { partitionTag: ref.partitionTag, mailId: ref.mailId }, result: 'ok' });
      return { id, status: 'purged' };
    },
  };
}
