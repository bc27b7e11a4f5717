import type { BatchAction, MessageAction } from '../../shared/actions';
import type { BatchItemResult, SmtpReply } from '../../shared/release';
import type { MessageKey } from '../i18n/en';
import { ApiError, type ApiClient } from './client';

/**
 * The actions the widget has buttons and keys for, in the order it shows them. The admin-only ones
 * (release_all, release_to, purge) may be in an item's `actions` but have no control here yet.
 */
export const WIDGET_ACTIONS = ['release', 'request', 'delete'] as const satisfies readonly BatchAction[];
export type WidgetAction = (typeof WIDGET_ACTIONS)[number];

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

/** How a batch went: counted by each result's `ok`, with the failures kept for their messages. */
export function summarizeBatch(results: readonly BatchItemResult[]): { done: number; failed: Extract<BatchItemResult, { ok: false }>[] } {
  const failed = results.filter((r): r is Extract<BatchItemResult, { ok: false }> => r.ok === false);
  return { done: results.filter((r) => r.ok === true).length, failed };
}

/** A failure in words: the server's message, and amavisd's own reply when a release failed, so the user (or admin) knows why. */
export function errorText(err: unknown, t: (key: MessageKey, vars?: Record<string, string>) => string): string {
  if (!(err instanceof ApiError)) return t('error');
  // The server turned the request away to protect everyone else: say so in the user's language.
  if (err.code === 'busy') return t('busy');
  const reply = (err.details as { reply?: SmtpReply } | undefined)?.reply;
  return reply ? `${err.message} ${t('amavisSaid', { reply: `${reply.code} ${reply.enhanced ?? ''} ${reply.text}` })}` : err.message;
}
