import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import { binaryText } from '../db/binary';
import type { ReleaseRequestView } from '../../shared/requests';
import type { SessionUser } from '../../shared/session';
import type { Mailer } from '../clients/mailer';
import type { Config } from '../config';
import type { AppModels, ReleaseRequestRow } from '../db/app-models';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { presentRequest } from '../presenters/release-request';
import type { AuditLog } from './audit';
import type { MessageService } from './messages';
import type { ReleaseOutcome, ReleaseService } from './release';

export interface ReleaseRequestService {
  /** A user asks an admin to release their copy; the row becomes rs='p'. */
  request(user: SessionUser, messageId: string): Promise<ReleaseRequestView>;
  /** The requester withdraws a pending request; rs goes back to what it was. */
  cancel(user: SessionUser, requestId: number): Promise<ReleaseRequestView>;
  /** Requests an admin may decide: their domains' (all, for a super user). */
  list(admin: SessionUser, status: ReleaseRequestView['status']): Promise<ReleaseRequestView[]>;
  /** Approving releases the message (through AM.PDP) and tells the requester. */
  approve(admin: SessionUser, requestId: number): Promise<{ request: ReleaseRequestView; release: ReleaseOutcome }>;
  deny(admin: SessionUser, requestId: number, note: string | undefined): Promise<ReleaseRequestView>;
  /** Sends the pending admin notifications now (normally a timer does it, one mail per admin per batch). */
  flushNotifications(): Promise<void>;
}

type Deps = {
  sequelize: Sequelize;
  models: AppModels;
  messages: MessageService;
  release: ReleaseService;
  audit: AuditLog;
  mailer: Mailer;
  logger: Logger;
  config: Pick<Config, 'superUsers' | 'domainAdmins' | 'mail'>;
};

const NOT_FOUND = () => new AppError(404, 'not_found', 'no such release request');

/** Creates the release-request workflow. */
export function createReleaseRequestService(deps: Deps): ReleaseRequestService {
  const { ReleaseRequest } = deps.models;
  let timer: NodeJS.Timeout | undefined;

  /** Which requests an admin may see and decide, as a WHERE clause: scoped in the query. */
  function adminScope(admin: SessionUser): WhereOptions<ReleaseRequestRow> {
    if (admin.role === 'super') return {};
    if (admin.role === 'domain_admin') return { recipient_domain: { [Op.in]: admin.domains } };
    throw new AppError(403, 'forbidden', 'only administrators decide release requests');
  }

  async function setRs(row: ReleaseRequestRow, rs: string, onlyIf: string[]): Promise<void> {
    await deps.sequelize.query('UPDATE msgrcpt SET rs = :rs WHERE partition_tag = :p AND mail_id = :m AND rseqnum = :r AND rs IN (:onlyIf)', {
      replacements: { rs, p: row.partition_tag, m: Buffer.from(row.mail_id), r: row.rseqnum, onlyIf },
    });
  }

  const link = (id: number) => (deps.config.mail.publicUrl ? `${deps.config.mail.publicUrl}#aq-request=${id}` : 'open the quarantine in your webmail');

  async function tellRequester(row: ReleaseRequestRow, approved: boolean): Promise<void> {
    if (!deps.mailer.enabled) return;
    const text = approved
      ? `Your request to release "${row.subject}" (to ${row.recipient}) was approved by ${row.decided_by ?? 'an administrator'}.\nThe message has been delivered to your inbox.\n`
      : `Your request to release "${row.subject}" (to ${row.recipient}) was denied by ${row.decided_by ?? 'an administrator'}.\n${row.note ? `\nTheir note: ${row.note}\n` : ''}`;
    try {
      await deps.mailer.send({ to: [row.requester], subject: `Quarantine: release ${approved ? 'approved' : 'denied'}: ${row.subject}`.slice(0, 200), text });
    } catch (err) {
      // The decision stands even if the mail cannot go out; the log says why.
      deps.logger.warn({ err: (err as Error).message, requestId: row.id }, 'could not tell the requester the outcome');
    }
  }

  function scheduleFlush(): void {
    if (timer || !deps.mailer.enabled) return;
    timer = setTimeout(() => {
      timer = undefined;
      service.flushNotifications().catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'release request notification failed'));
    }, deps.config.mail.batchDelayMs);
    timer.unref();
  }

  async function findForAdmin(admin: SessionUser, id: number): Promise<ReleaseRequestRow> {
    const row = await ReleaseRequest.findOne({ where: { id, status: 'pending', ...adminScope(admin) } });
    if (!row) throw NOT_FOUND();
    return row;
  }

  const service: ReleaseRequestService = {
    async request(user, messageId) {
      const { ref, row } = await deps.messages.findAccessible(user, messageId);
      if (row.rs === 'R') throw new AppError(409, 'conflict', 'this message has already been released');
      if (row.rs === 'D') throw new AppError(404, 'not_found', 'no such message in your quarantine');
      const existing = await ReleaseRequest.findOne({ where: { mail_id: ref.mailId, partition_tag: ref.partitionTag, rseqnum: ref.rseqnum, status: 'pending' } });
      if (existing) return presentRequest(existing);
      const recipient = binaryText(row.recipient);
      const created = await ReleaseRequest.create({
        created_at: new Date(),
        requester: user.email,
        partition_tag: ref.partitionTag,
        mail_id: ref.mailId,
        rseqnum: ref.rseqnum,
        recipient,
        recipient_domain: recipient.slice(recipient.lastIndexOf('@') + 1).toLowerCase(),
        subject: String(row.subject ?? '').slice(0, 255),
        status: 'pending',
        previous_rs: row.rs === 'p' ? '' : (row.rs ?? ''),
      });
      await setRs(created, 'p', ['', ' ', 'V', 'v', 'p']);
      await deps.audit.record({ actor: user.email, action: 'request', ref, recipient, result: 'ok' });
      scheduleFlush();
      return presentRequest(created);
    },

    async cancel(user, requestId) {
      const row = await ReleaseRequest.findOne({ where: { id: requestId, requester: user.email, status: 'pending' } });
      if (!row) throw NOT_FOUND();
      await row.update({ status: 'cancelled', decided_by: user.email, decided_at: new Date() });
      await setRs(row, row.previous_rs, ['p']);
      await deps.audit.record({ actor: user.email, action: 'cancel', ref: { partitionTag: row.partition_tag, mailId: row.mail_id, rseqnum: row.rseqnum }, recipient: row.recipient, result: 'ok' });
      return presentRequest(row);
    },

    async list(admin, status) {
      const rows = await ReleaseRequest.findAll({ where: { status, ...adminScope(admin) }, order: [['created_at', 'DESC']], limit: 500 });
      return rows.map(presentRequest);
    },

    async approve(admin, requestId) {
      const row = await findForAdmin(admin, requestId);
      const ref = { partitionTag: row.partition_tag, mailId: row.mail_id, rseqnum: row.rseqnum };
      // A failed release throws with amavisd's reply and leaves the request pending, to be tried again.
      const release = await deps.release.release(admin, presentRequest(row).messageId);
      await row.update({ status: 'approved', decided_by: admin.email, decided_at: new Date() });
      await deps.audit.record({ actor: admin.email, action: 'approve', ref, recipient: row.recipient, result: 'ok' });
      await tellRequester(row, true);
      return { request: presentRequest(row), release };
    },

    async deny(admin, requestId, note) {
      const row = await findForAdmin(admin, requestId);
      await row.update({ status: 'denied', decided_by: admin.email, decided_at: new Date(), note: note ?? null });
      await setRs(row, row.previous_rs, ['p']);
      await deps.audit.record({
        actor: admin.email,
        action: 'deny',
        ref: { partitionTag: row.partition_tag, mailId: row.mail_id, rseqnum: row.rseqnum },
        recipient: row.recipient,
        result: 'ok',
        detail: note ?? null,
      });
      await tellRequester(row, false);
      return presentRequest(row);
    },

    async flushNotifications() {
      if (!deps.mailer.enabled) return;
      const pending = await ReleaseRequest.findAll({ where: { status: 'pending', admins_notified_at: null }, order: [['created_at', 'ASC']], limit: 1000 });
      // Claim each row first, so two instances never announce the same request twice.
      const claimed: ReleaseRequestRow[] = [];
      for (const row of pending) {
        const [count] = await ReleaseRequest.update({ admins_notified_at: new Date() }, { where: { id: row.id, admins_notified_at: null } });
        if (count === 1) claimed.push(row);
      }
      const byAdmin = new Map<string, ReleaseRequestRow[]>();
      for (const row of claimed) {
        const admins = new Set(deps.config.superUsers);
        for (const [admin, domains] of deps.config.domainAdmins) if (domains.includes(row.recipient_domain)) admins.add(admin);
        for (const admin of admins) byAdmin.set(admin, [...(byAdmin.get(admin) ?? []), row]);
      }
      for (const [admin, rows] of byAdmin) {
        const lines = rows.map((r) => `- ${r.requester} asks to release "${r.subject}" (to ${r.recipient}): ${link(Number(r.id))}`);
        await deps.mailer.send({
          to: [admin],
          subject: `Quarantine: ${rows.length} new release request${rows.length === 1 ? '' : 's'}`,
          text: `New requests to release quarantined mail:\n\n${lines.join('\n')}\n\nApprove or deny them in the quarantine.\n`,
        });
      }
    },
  };
  return service;
}
