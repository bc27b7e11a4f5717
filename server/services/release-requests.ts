import type { ApproveOutcome, ReleaseRequestView } from '../../shared/requests';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import { statusOfRs, typeOfContent } from '../amavis/codes';
import { factsKey } from '../amavis/message-facts';
import { previousRsOf } from '../amavis/rs';
import type { AmavisStore } from '../amavis/store';
import type { Mailer } from '../clients/mailer';
import type { Config } from '../config';
import type { ReleaseRequestRow } from '../db/app-models';
import type { AuditLog } from '../db/audit-log';
import type { ReleaseRequestStore } from '../db/request-store';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import { presentRequest } from '../presenters/release-request';
import type { MessageService } from './messages';
import { assertCan, requestScopeOf, type ReleasePolicy } from './policy';
import type { ReleaseService } from './release';

export interface ReleaseRequestService {
  /** A user asks an admin to release their copy, optionally saying why; the row becomes rs='p'. */
  request(user: SessionUser, messageId: string, note?: string): Promise<ReleaseRequestView>;
  /** The requester withdraws a pending request; rs goes back to what it was. */
  cancel(user: SessionUser, requestId: number): Promise<ReleaseRequestView>;
  /** Requests an admin may decide: their domains' (all, for a super user). */
  list(admin: SessionUser, status: ReleaseRequestView['status']): Promise<ReleaseRequestView[]>;
  /** Approving releases the message (through AM.PDP) and tells the requester; only while the copy still waits for it. */
  approve(admin: SessionUser, requestId: number): Promise<ApproveOutcome>;
  deny(admin: SessionUser, requestId: number, note: string | undefined): Promise<ReleaseRequestView>;
  /** Sends the pending admin notifications now (normally a timer does it, one mail per admin per batch). */
  flushNotifications(): Promise<void>;
}

type Deps = {
  amavis: AmavisStore;
  store: ReleaseRequestStore;
  messages: MessageService;
  release: ReleaseService;
  audit: AuditLog;
  mailer: Mailer;
  logger: Logger;
  releasePolicy: ReleasePolicy;
  config: Pick<Config, 'superUsers' | 'domainAdmins' | 'mail'>;
};

const NOT_FOUND = () => new AppError(404, 'not_found', 'no such release request');

/**
 * Text from a mail (its subject) or a user (a note) made safe to put in our mails: control characters,
 * line breaks included, become spaces, so a subject with CR/LF cannot forge lines (a fake link, a fake
 * request) in an admin's notification.
 */
export const mailText = (text: string | null | undefined): string =>
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();

const refOf = (row: ReleaseRequestRow) => ({ partitionTag: row.partition_tag, mailId: row.mail_id, rseqnum: row.rseqnum });

/** Creates the release-request workflow. */
export function createReleaseRequestService(deps: Deps): ReleaseRequestService {
  const { store } = deps;
  let timer: NodeJS.Timeout | undefined;

  const link = (id: number) => (deps.config.mail.publicUrl ? `${deps.config.mail.publicUrl}#aq-request=${id}` : 'open the quarantine in your webmail');

  async function tellRequester(row: ReleaseRequestRow, approved: boolean): Promise<void> {
    if (!deps.mailer.enabled) return;
    const subject = mailText(row.subject);
    const note = mailText(row.note);
    const text = approved
      ? `Your request to release "${subject}" (to ${row.recipient}) was approved by ${row.decided_by ?? 'an administrator'}.\nThe message has been delivered to your inbox.\n`
      : `Your request to release "${subject}" (to ${row.recipient}) was denied by ${row.decided_by ?? 'an administrator'}.\n${note ? `\nTheir note: ${note}\n` : ''}`;
    try {
      await deps.mailer.send({ to: [row.requester], subject: `Quarantine: release ${approved ? 'approved' : 'denied'}: ${subject}`.slice(0, 200), text });
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

  /** A request the admin may decide, still pending: a decided one is a conflict, not a missing one. */
  async function pendingForAdmin(admin: SessionUser, id: number): Promise<ReleaseRequestRow> {
    const row = await store.inScope(id, requestScopeOf(admin));
    if (!row) throw NOT_FOUND();
    if (row.status !== 'pending') throw new AppError(409, 'conflict', `this release request was already ${row.status}`);
    return row;
  }

  /** Puts the copy back to where it was before the request (only if it is still requested). */
  const withdrawRs = (row: ReleaseRequestRow) => deps.amavis.rs.apply(refOf(row), 'withdraw', { previous: row.previous_rs === 'V' ? 'V' : '' });

  const service: ReleaseRequestService = {
    async request(user, messageId, note) {
      const { ref, row } = await deps.messages.findAccessible(user, messageId, { forAction: true });
      const existing = await store.pendingFor(ref);
      if (existing) return presentRequest(existing);
      const status = statusOfRs(row.rs);
      if (status === 'released') throw new AppError(409, 'conflict', 'this message has already been released');
      if (status === 'deleted') throw new AppError(409, 'conflict', 'this message was deleted; its release can no longer be requested');
      assertCan(user, 'request', { type: typeOfContent(row.content), status }, deps.releasePolicy);
      const recipient = binaryText(row.recipient);
      // The request row first, then the copy's rs: a crash in between leaves a request that approving
      // refuses (the copy is not 'p'), never a copy marked requested that no admin can see.
      const created = await store.create({
        ref,
        requester: user.email,
        recipient,
        subject: binaryText(row.subject),
        previous_rs: previousRsOf(row.rs),
        request_note: note || null,
      });
      if (!(await deps.amavis.rs.apply(ref, 'request'))) {
        await store.decide(created, 'cancelled', user.email, 'the message changed while the request was made');
        throw new AppError(409, 'conflict', 'this message changed meanwhile (released, deleted or already requested); reload it');
      }
      await deps.audit.record({ actor: user.email, action: 'request', ref, recipient, result: 'ok' });
      scheduleFlush();
      return presentRequest(created);
    },

    async cancel(user, requestId) {
      const row = await store.ownPending(requestId, user.email);
      if (!row || !(await store.decide(row, 'cancelled', user.email))) throw NOT_FOUND();
      await withdrawRs(row);
      await deps.audit.record({ actor: user.email, action: 'cancel', ref: refOf(row), recipient: row.recipient, result: 'ok' });
      return presentRequest(row);
    },

    async list(admin, status) {
      const rows = await store.list(requestScopeOf(admin), status, 500);
      const facts = await deps.amavis.facts(rows.map((r) => ({ partitionTag: r.partition_tag, mailId: r.mail_id })));
      return rows.map((row) => {
        const fact = facts.get(factsKey({ partitionTag: row.partition_tag, mailId: row.mail_id }));
        return {
          ...presentRequest(row),
          type: fact?.type ?? null,
          spamLevel: fact?.spamLevel ?? null,
          headerFrom: fact?.headerFrom ?? '',
          envelopeFrom: fact?.envelopeFrom ?? '',
        };
      });
    },

    async approve(admin, requestId) {
      const row = await pendingForAdmin(admin, requestId);
      const ref = refOf(row);
      let release;
      try {
        // Only a copy still waiting for this decision (rs='p') is released; otherwise 409 and nothing is sent.
        // A failed release throws with amavisd's reply and leaves the request pending, to be tried again.
        release = await deps.release.releaseRequested(admin, presentRequest(row).messageId);
      } catch (err) {
        if (err instanceof AppError && (err.status === 409 || err.status === 404)) {
          await store.decide(row, 'cancelled', admin.email, 'the message was no longer waiting for release');
          await deps.audit.record({ actor: admin.email, action: 'approve', ref, recipient: row.recipient, result: 'failed', detail: err.message });
        }
        throw err;
      }
      await store.decide(row, 'approved', admin.email);
      await deps.audit.record({ actor: admin.email, action: 'approve', ref, recipient: row.recipient, result: 'ok' });
      await tellRequester(row, true);
      return { request: presentRequest(row), release };
    },

    async deny(admin, requestId, note) {
      const row = await pendingForAdmin(admin, requestId);
      if (!(await store.decide(row, 'denied', admin.email, note ?? null))) throw new AppError(409, 'conflict', 'this release request was decided meanwhile');
      await withdrawRs(row);
      await deps.audit.record({ actor: admin.email, action: 'deny', ref: refOf(row), recipient: row.recipient, result: 'ok', detail: note ?? null });
      await tellRequester(row, false);
      return presentRequest(row);
    },

    async flushNotifications() {
      if (!deps.mailer.enabled) return;
      const pending = await store.unannounced(1000);
      // Claim each row first, so two instances never announce the same request twice.
      const claimed: ReleaseRequestRow[] = [];
      for (const row of pending) if (await store.claimAnnouncement(Number(row.id))) claimed.push(row);
      const byAdmin = new Map<string, ReleaseRequestRow[]>();
      for (const row of claimed) {
        const admins = new Set(deps.config.superUsers);
        for (const [admin, domains] of deps.config.domainAdmins) if (domains.includes(row.recipient_domain)) admins.add(admin);
        for (const admin of admins) byAdmin.set(admin, [...(byAdmin.get(admin) ?? []), row]);
      }
      for (const [admin, rows] of byAdmin) {
        const lines = rows.map((r) => {
          const note = mailText(r.request_note);
          return `- ${r.requester} asks to release "${mailText(r.subject)}" (to ${mailText(r.recipient)}): ${link(Number(r.id))}${note ? `\n  Their note: ${note}` : ''}`;
        });
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
