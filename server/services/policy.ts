import type { MessageAction, ReleaseMode } from '../../shared/actions';
import type { MessageStatus, MessageType } from '../../shared/quarantine';
import type { ListScope } from '../amavis/scope';
import type { SessionUser, UserCapabilities } from '../../shared/session';
import { AppError } from '../errors';

/**
 * Who may do what: the one home of the permission rules. Pure functions of the user, the item and the
 * release policy, used by every service (to refuse) and every presenter (to offer `actions`), so the
 * widget never holds a rule of its own and never offers what the server would refuse.
 *
 * Scope (which copies a user can see at all) is decided here too, by scopeOf, but applied in the SQL:
 * a copy out of scope never reaches the other functions.
 */

/** Whose quarantine the user sees: everyone's for a super user, their domains' (and own) for a domain admin, else their own addresses'. */
export function scopeOf(user: SessionUser): ListScope {
  if (user.role === 'super') return { kind: 'all' };
  if (user.role === 'domain_admin') return { kind: 'domains', domains: user.domains, addresses: user.addresses };
  return { kind: 'addresses', addresses: user.addresses };
}

/** What the rules need to know about one recipient's copy. */
export interface PolicyItem {
  type: MessageType | 'other';
  status: MessageStatus;
}

export type ReleasePolicy = Readonly<Record<MessageType, ReleaseMode>>;

/** True for domain admins and super users: they act on the mail of their scope, whatever the release policy. */
export const isAdmin = (user: SessionUser): boolean => user.role !== 'user';

/** How the recipient of this kind of mail may release it. Mail amavis calls clean or unknown is theirs to release. */
export function releaseModeOf(policy: ReleasePolicy, type: PolicyItem['type']): ReleaseMode {
  return type === 'other' ? 'direct' : policy[type];
}

// Statuses in which a copy is still held back. Released and deleted copies are not released again.
const HELD: ReadonlySet<MessageStatus> = new Set(['new', 'viewed', 'requested']);

/** Every action the user may take on this copy now, in the order the widget shows them. */
export function actionsFor(user: SessionUser, item: PolicyItem, policy: ReleasePolicy): MessageAction[] {
  const held = HELD.has(item.status);
  const actions: MessageAction[] = [];
  if (isAdmin(user)) {
    if (held) actions.push('release', 'release_all');
    if (item.status !== 'deleted') actions.push('release_to', 'delete');
    if (user.role === 'super' && !held) actions.push('purge');
    return actions;
  }
  if (item.status === 'deleted') return actions;
  const mode = releaseModeOf(policy, item.type);
  if (held && mode === 'direct') actions.push('release');
  // Where users cannot release it themselves, they can ask an administrator (who may release anything).
  if (held && mode !== 'direct' && item.status !== 'requested') actions.push('request');
  actions.push('delete');
  return actions;
}

const REFUSALS: Record<MessageAction, string> = {
  release: 'you may not release this message',
  request: 'you may not request the release of this message',
  delete: 'you may not delete this message',
  release_all: 'only administrators can release to all recipients',
  release_to: 'only administrators can release to another address',
  purge: 'only super users can purge a message, once every recipient released or deleted it',
};

/**
 * Refuses an action the user may not take, with the reason a person needs. Status conflicts (a copy
 * already released or deleted) are refused by the guarded rs writer, with 409, not here.
 */
export function assertCan(user: SessionUser, action: MessageAction, item: PolicyItem, policy: ReleasePolicy): void {
  // Only who and what kind of mail count here; the status is the rs guard's to judge.
  const heldItem = { ...item, status: 'viewed' as const };
  if (actionsFor(user, heldItem, policy).includes(action)) return;
  // Asking an administrator is never refused, even where the user could release it alone: the widget
  // just does not offer it there.
  if (action === 'request') return;
  if (action === 'release' && !isAdmin(user)) {
    const mode = releaseModeOf(policy, item.type);
    if (mode === 'request') throw new AppError(403, 'forbidden', 'this kind of message is released by an administrator: request its release instead');
    throw new AppError(403, 'forbidden', 'only an administrator can release this kind of message');
  }
  throw new AppError(403, 'forbidden', REFUSALS[action]);
}

/** Refuses a listing the user may not ask for: deleted copies are shown to administrators only. */
export function assertMayList(user: SessionUser, statuses: readonly string[] | undefined): void {
  if (statuses?.includes('deleted') && !isAdmin(user)) throw new AppError(403, 'forbidden', 'only administrators can list deleted messages');
}

/** Requires a super user. */
export function assertSuper(user: SessionUser, what: string): void {
  if (user.role !== 'super') throw new AppError(403, 'forbidden', `only super users can ${what}`);
}

/** What the user may do beyond acting on messages; sent with the session. */
export function capabilitiesOf(user: SessionUser, features: { learn?: boolean; digest?: boolean } = {}): UserCapabilities {
  return {
    decideRequests: isAdmin(user),
    readAudit: user.role === 'super',
    seesOthersMail: isAdmin(user),
    senderLists: true,
    learn: features.learn === true,
    ...(features.digest !== undefined ? { digest: features.digest } : {}),
  };
}

/** Which release requests an admin sees and decides: all for a super user, their domains' for a domain admin. */
export function requestScopeOf(user: SessionUser): 'all' | { domains: readonly string[] } {
  if (user.role === 'super') return 'all';
  if (user.role === 'domain_admin') return { domains: user.domains };
  throw new AppError(403, 'forbidden', 'only administrators decide release requests');
}
