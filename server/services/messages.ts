import type { MessageDetail } from '../../shared/message';
import type { SessionUser } from '../../shared/session';
import { binaryText } from '../amavis/binary';
import type { CopyRow } from '../amavis/copies';
import type { ListQuery, ListResult, ListRow } from '../amavis/listing';
import { decodeMessageRef, type MessageRef } from '../amavis/message-ref';
import type { AmavisStore } from '../amavis/store';
import { AppError } from '../errors';
import { presentItem, type HeldRelease } from '../presenters/quarantine-item';
import type { AuditLog } from '../db/audit-log';
import { claimOf, type ReleaseIntentStore } from '../db/release-intents';
import { ViewPoolBusyError, type ViewOutcome, type ViewPool } from '../view/view-pool';
import { assertMayList, isAdmin, scopeOf, type ReleasePolicy } from './policy';

export interface MessageServiceOptions {
  recipientDelimiter: string | undefined;
  retentionDays: number;
  maxParseBytes: number;
  releasePolicy: ReleasePolicy;
  /** The worker pool that parses and sanitizes messages (view/view-pool.ts). */
  viewPool: ViewPool;
  /** Release attempts: a copy whose last release got no answer says so in the list and the view. */
  releaseIntents?: ReleaseIntentStore;
}

/** Reading one quarantined message: the view and the raw download, both scoped to the user. */
export interface MessageService {
  /** One page of the user's quarantine (their addresses, their domains, or all), scoped in SQL. */
  list(user: SessionUser, query: ListQuery): Promise<ListResult>;
  /**
   * Finds the copy, scoped in SQL; a copy outside the user's scope is not_found, exactly like a missing
   * one. A user's deleted copies are found only for actions (`forAction`), so that acting on one is
   * refused as a conflict while viewing it is not_found.
   */
  findAccessible(user: SessionUser, id: string, options?: { forAction?: boolean }): Promise<{ ref: MessageRef; row: CopyRow }>;
  /** True when the copy's recipient is one of the user's own addresses (not a copy seen as an admin). */
  isOwnCopy(user: SessionUser, row: CopyRow): Promise<boolean>;
  /** `markViewed: false` leaves rs alone (self-service GETs: mail scanners follow links). */
  view(user: SessionUser, id: string, options: { withReceived: boolean; markViewed?: boolean }): Promise<MessageDetail>;
  /** The stored message, chunk by chunk in chunk_ind order, exactly as amavisd wrote it. */
  raw(user: SessionUser, id: string): Promise<{ filename: string; chunks: AsyncIterable<Buffer> }>;
}

const NOT_FOUND = () => new AppError(404, 'not_found', 'no such message in your quarantine');
const GONE = () => new AppError(410, 'gone', 'the quarantined copy of this message has been purged');

/** Creates the message service. */
export function createMessageService(amavis: AmavisStore, audit: AuditLog, options: MessageServiceOptions): MessageService {
  /**
   * Attaches the release attempt still holding each copy (presenters/quarantine-item.ts), in one query on
   * the app database for the whole page: it may be another database than amavis's, so no join.
   */
  async function withHeldReleases<R extends ListRow>(rows: R[]): Promise<Array<R & { heldRelease?: HeldRelease }>> {
    if (!options.releaseIntents || rows.length === 0) return rows;
    const keyOf = (row: R) => claimOf({ partitionTag: Number(row.partition_tag), mailId: binaryText(row.mail_id), rseqnum: Number(row.rseqnum) });
    const held = await options.releaseIntents.heldFor(rows.map(keyOf));
    return rows.map((row) => {
      const intent = held.get(keyOf(row));
      return intent ? { ...row, heldRelease: { status: intent.status, sentAt: intent.sentAt, actor: intent.actor } } : row;
    });
  }

  async function findAccessible(user: SessionUser, id: string, { forAction = false } = {}) {
    const ref = decodeMessageRef(id);
    if (!ref) throw NOT_FOUND();
    const rids = await amavis.recipients.forScope(scopeOf(user), options.recipientDelimiter);
    // Admins may open deleted copies (to audit them); users only act on them, to be told it is too late.
    const row = await amavis.copies.find(ref, rids, { includeDeleted: forAction || isAdmin(user) });
    if (!row) throw NOT_FOUND();
    return { ref, row };
  }

  async function isOwnCopy(user: SessionUser, row: CopyRow): Promise<boolean> {
    const own = await amavis.recipients.forAddresses(user.addresses, options.recipientDelimiter);
    return own.includes(String(row.rid));
  }

  /**
   * A recipient opening their own new message marks it viewed. An admin looking at someone else's mail
   * leaves it as it is, and is audited.
   */
  async function markViewed(user: SessionUser, ref: MessageRef, row: CopyRow, how: 'view' | 'raw'): Promise<boolean> {
    if (!(await isOwnCopy(user, row))) {
      await audit.record({ actor: user.email, action: 'view', ref, recipient: binaryText(row.recipient), result: 'ok', detail: how });
      return false;
    }
    if (how === 'raw') return false;
    return amavis.rs.apply(ref, 'view');
  }

  async function parsedDetail(ref: MessageRef, row: CopyRow, user: SessionUser, withReceived: boolean): Promise<MessageDetail> {
    const item = presentItem(row, { retentionDays: options.retentionDays, user, policy: options.releasePolicy });
    // What amavis recorded (sender, subject, date): shown when the message itself cannot be.
    const recordOnly = (parseError: MessageDetail['parseError']): MessageDetail => ({
      item,
      headers: { from: item.headerFrom, to: item.recipient, cc: '', replyTo: '', date: item.receivedAt, subject: item.subject, messageId: '' },
      senderMismatch: false,
      reason: { type: item.type, alerts: [], spamScore: item.spamLevel, spamTests: [], auth: { spf: null, dkim: null, dmarc: null } },
      text: null,
      html: null,
      remoteImages: 0,
      attachments: [],
      parseError,
    });
    if (Number(row.size) > options.maxParseBytes) return recordOnly('too_large');
    const parts: Buffer[] = [];
    for await (const chunk of amavis.copies.chunks(ref)) parts.push(chunk);
    // Parsing and sanitizing happen in a worker thread, within a time and a memory limit: hostile
    // mail costs the parser far more than it costs the spammer.
    let outcome: ViewOutcome;
    try {
      outcome = await options.viewPool.parse(Buffer.concat(parts), { withReceived });
    } catch (err) {
      if (err instanceof ViewPoolBusyError) throw new AppError(503, 'busy', 'too many messages are being opened at once; try again in a moment');
      throw err;
    }
    const { mail, body } = outcome;
    if (!mail) return recordOnly(body.parseError ?? 'malformed');
    const { headerFromAddress, reason, textFromHtml, ...rest } = mail;
    const envelope = binaryText(row.sender).toLowerCase();
    return {
      item,
      ...rest,
      text: textFromHtml && body.html !== null ? null : rest.text,
      html: body.html,
      remoteImages: body.remoteImages,
      // An empty envelope sender (a bounce) is not a mismatch.
      senderMismatch: Boolean(envelope && headerFromAddress && envelope !== headerFromAddress),
      reason: { type: item.type, ...reason, spamScore: reason.spamScore ?? item.spamLevel },
      parseError: body.parseError,
    };
  }

  return {
    async list(user, query) {
      assertMayList(user, query.status);
      const result = await amavis.listing.list(scopeOf(user), query);
      return { ...result, rows: await withHeldReleases(result.rows) };
    },
    findAccessible,
    isOwnCopy,

    async view(user, id, { withReceived, markViewed: mark = true }) {
      const found = await findAccessible(user, id);
      const { ref } = found;
      const row = (await withHeldReleases([found.row]))[0] ?? found.row;
      if (!(await amavis.copies.hasText(ref))) throw GONE();
      const detail = await parsedDetail(ref, row, user, withReceived);
      if (mark && (await markViewed(user, ref, row, 'view'))) {
        detail.item = presentItem({ ...row, rs: 'V' }, { retentionDays: options.retentionDays, user, policy: options.releasePolicy });
      }
      return detail;
    },

    async raw(user, id) {
      const { ref, row } = await findAccessible(user, id);
      if (!(await amavis.copies.hasText(ref))) throw GONE();
      await markViewed(user, ref, row, 'raw');
      return { filename: `${ref.mailId}.eml`, chunks: amavis.copies.chunks(ref) };
    },
  };
}
