import type { BatchAction, MessageAction } from '../../shared/actions';
import type { QuarantineItem } from '../../shared/quarantine';
import type { BatchItemResult, SmtpReply } from '../../shared/release';
import type { MessageKey } from '../i18n/en';
import { ApiError, type ApiClient } from './client';

/**
 * The actions the widget has buttons and keys for, in the order it shows them. The admin-only ones
 * (release_all, release_to, purge) may be in an item's `actions` but have no control here yet.
 */
export const WIDGET_ACTIONS = ['release', 'request', 'delete'] as const satisfies readonly BatchAction[];
export type WidgetAction = (typeof WIDGET_ACTIONS)[number];

/**
 * What the list's "More" menu does to the selected messages, through the batch: "Not spam" (release, learn
 * as ham, allow the sender), learn as spam, allow or block each one's sender. Offered by the session's
 * capabilities (learning, sender lists), not by each item's `actions`.
 */
export const BULK_EXTRAS = ['not_spam', 'learn_spam', 'allow_sender', 'block_sender'] as const satisfies readonly BatchAction[];
export type BulkExtra = (typeof BULK_EXTRAS)[number];
/** Anything the list sends for its rows: a widget action or a bulk extra. */
export type ListAction = WidgetAction | BulkExtra;
export const isWidgetAction = (a: ListAction): a is WidgetAction => (WIDGET_ACTIONS as readonly string[]).includes(a);

/**
 * The extras the list's "More" offers for the selected items, each with the ids it would go to: "Not spam"
 * for held spam the user may release (as the message toolbar offers it), learning and sender lists for all.
 */
export function extrasFor(items: readonly QuarantineItem[], caps: { learn?: boolean | undefined; senderLists?: boolean | undefined }): Array<[BulkExtra, string[]]> {
  // A row left in the list as Deleted is no longer the user's to learn from or act on.
  const live = items.filter((i) => i.status !== 'deleted');
  const all = live.map((i) => i.id);
  const out: Array<[BulkExtra, string[]]> = [];
  if (caps.learn) {
    const releasable = live.filter((i) => i.type === 'spam' && i.actions.includes('release')).map((i) => i.id);
    if (releasable.length) out.push(['not_spam', releasable]);
    out.push(['learn_spam', all]);
  }
  if (caps.senderLists) out.push(['allow_sender', all], ['block_sender', all]);
  return all.length ? out : [];
}

/** The widget actions among what the server allows on an item, in display order. */
export const offered = (allowed: readonly MessageAction[]): WidgetAction[] => WIDGET_ACTIONS.filter((a) => allowed.includes(a));

/** Runs one action on one message and returns the key of the success message to show. */
export async function runAction(client: ApiClient, action: WidgetAction, id: string): Promise<MessageKey> {
  if (action === 'release') return (await client.release(id)).alreadyReleased ? 'alreadyReleased' : 'released';
  if (action === 'delete') {
    await client.remove(id);
    return 'deleted';
  }
  await client.requestRelease(id);
  return 'requested';
}

/**
 * A listed message as an action left it: its new status (nothing more to do after a delete, only delete
 * after a release or a request), or a release that got no answer. It stays in the list until the next
 * load, so the user sees what happened to every row they touched.
 */
export function applyResult(item: QuarantineItem, result: BatchItemResult): QuarantineItem {
  const { releaseState, ...rest } = item;
  // "Not spam" released the copy (and learned and allowed its sender): it is released.
  const status = result.ok && result.status === 'not_spam' ? 'released' : result.ok ? result.status : undefined;
  if (status === 'released' || status === 'deleted' || status === 'requested')
    return { ...rest, status, actions: status === 'deleted' ? [] : item.actions.filter((a) => a === 'delete') };
  if (!result.ok && (result.code === 'release_unknown' || result.code === 'release_outcome_unknown'))
    return { ...item, releaseState: releaseState ?? { state: 'unknown', sentAt: new Date().toISOString(), by: '' } };
  return item;
}

/**
 * How a batch went: counted by each result's `ok`, with the failures kept for their messages. A copy that
 * SpamAssassin had already learned as that class is not "learned" again: it is counted apart (`already`).
 */
export function summarizeBatch(results: readonly BatchItemResult[]): { done: number; already: number; failed: Extract<BatchItemResult, { ok: false }>[] } {
  const failed = results.filter((r): r is Extract<BatchItemResult, { ok: false }> => r.ok === false);
  const already = results.filter((r) => r.ok && r.status === 'already_learned').length;
  return { done: results.length - failed.length - already, already, failed };
}

// Codes that share one message: the rarer a code is in the widget, the more general its words.
const SHARED_MESSAGE: Partial<Record<string, string>> = {
  validation_failed: 'bad_request',
  unsupported_media_type: 'bad_request',
  session_expired: 'unauthorized',
  sso_disabled: 'sso',
  sso_invalid: 'sso',
  sso_expired: 'sso',
  sso_replayed: 'sso',
  gone: 'not_found',
  release_outcome_unknown: 'release_unknown',
  list_index_missing: 'unavailable',
  stats_unavailable: 'unavailable',
  learning_unavailable: 'unavailable',
};

/** The catalog key of an API error code's message (e_<code>, or the message it shares). */
export const codeKey = (code: string) => `e_${SHARED_MESSAGE[code] ?? code}` as MessageKey;

/** The message of an API error code in the user's language; a code this widget does not know keeps the server's words. */
export function codeText(code: string, fallback: string, t: (key: MessageKey) => string): string {
  const key = codeKey(code);
  const text = t(key);
  return text === key ? fallback : text;
}

/** A failure in words: the code's message in the user's language, and amavisd's own reply when a release failed, so the user (or admin) knows why. */
export function errorText(err: unknown, t: (key: MessageKey, vars?: Record<string, string>) => string): string {
  if (!(err instanceof ApiError)) return t('error');
  // Bad input is explained by the server's own words (which field, which bound), after the translated sentence.
  const text = `${codeText(err.code, err.message, t)}${err.code === 'validation_failed' || err.code === 'bad_request' ? ` (${err.message})` : ''}`;
  const reply = (err.details as { reply?: SmtpReply } | undefined)?.reply;
  return reply ? `${text} ${t('amavisSaid', { reply: `${reply.code} ${reply.enhanced ?? ''} ${reply.text}` })}` : text;
}
