import { PRESET_LEVELS, type PolicyPreset, type PolicyResponse, type PolicyTarget, type PolicyUpdateResponse, type PolicyValues } from '../../shared/policy';
import type { Transaction } from 'sequelize';
import type { SessionUser } from '../../shared/session';
import type { SpamPolicyConfig } from '../config/spam-policy';
import type { AuditLog } from '../db/audit-log';
import { AppError } from '../errors';
import { EVERYONE, KEY_PRIORITY, kindOfKey, normalizeDomain, parseSenderKey } from '../lookup/lookup-keys';
import type { LookupStore } from '../lookup/lookup-store';
import { createPolicyStore, type PolicyStore } from '../lookup/policy-store';
import {
  checkChange,
  checkLevelOrder,
  describeChanges,
  effectivePolicy,
  lookupKeysOf,
  mayEdit,
  parseValues,
  presetOf,
  withPreset,
  type Writer,
} from './spam-policy-rules';

/** Spam levels and flags per user, domain or everyone, in amavis's policy table: amavisd applies them to the next mail. */
export interface SpamPolicyService {
  /** The policy amavisd applies to the target (`for`: me, an address, @domain, everyone), field by field with its source. */
  get(user: SessionUser, target?: string): Promise<PolicyResponse>;
  /** Writes the target's own policy row (copy-on-write), in one transaction, audited. */
  update(
    user: SessionUser,
    input: { for?: string | undefined; preset?: PolicyPreset | undefined; values?: Record<string, unknown> | undefined },
  ): Promise<PolicyUpdateResponse>;
}

/** A resolved target: the users keys written, the key shown (and merged from), and whether the writer is its admin. */
interface Resolved {
  view: PolicyTarget;
  keys: string[];
  writer: Writer;
}

const domainOf = (key: string) => key.slice(key.lastIndexOf('@') + 1).replace(/^\./, '');

/** The name of the policy row owned by one users key (policy_name is varchar(32): long keys are cut). */
export const ownPolicyName = (key: string) => `aq:${key}`.slice(0, 32);

export function createSpamPolicyService(deps: { lookup: LookupStore; audit: AuditLog; config: SpamPolicyConfig; policies?: PolicyStore }): SpamPolicyService {
  const { lookup, audit, config } = deps;
  const policies = deps.policies ?? createPolicyStore(lookup);
  const own = (user: SessionUser) => [...new Set(user.addresses.map((a) => a.toLowerCase()))];
  const manages = (user: SessionUser, domain: string) => user.role === 'super' || (user.role === 'domain_admin' && user.domains.includes(domain));
  const writer = (user: SessionUser, keys: string[]): Writer => ({
    admin: keys.every((k) => (k === EVERYONE ? user.role === 'super' : manages(user, domainOf(k)))),
    config,
  });

  /** Reads `for`: me (default), an own address, an address or @domain the user administers, or everyone (super users). */
  function resolve(user: SessionUser, target: string | undefined): Resolved {
    const t = (target ?? 'me').trim().toLowerCase();
    if (t === 'me' || t === '') {
      const keys = own(user);
      const primary = keys.includes(user.email.toLowerCase()) ? user.email.toLowerCase() : keys[0];
      if (!primary) throw new AppError(403, 'forbidden', 'you have no address of your own to set a policy for');
      return { view: { kind: 'me', key: primary }, keys: [primary, ...keys.filter((k) => k !== primary)], writer: writer(user, keys) };
    }
    if (t === 'everyone' || t === EVERYONE) {
      if (user.role !== 'super') throw new AppError(403, 'forbidden', 'only super users can set the policy for everyone');
      return { view: { kind: 'everyone', key: EVERYONE }, keys: [EVERYONE], writer: writer(user, [EVERYONE]) };
    }
    if (t.startsWith('@')) {
      const domain = normalizeDomain(t.slice(1));
      if (!domain) throw new AppError(400, 'validation_failed', `"${String(target).slice(0, 80)}" is not a domain: use @example.com`);
      if (!manages(user, domain)) throw new AppError(403, 'forbidden', `you do not administer ${domain}`);
      return { view: { kind: 'domain', key: `@${domain}` }, keys: [`@${domain}`], writer: writer(user, [`@${domain}`]) };
    }
    const { key, kind } = parseSenderKey(t);
    if (kind !== 'address')
      throw new AppError(400, 'validation_failed', `"${String(target).slice(0, 80)}" is not an address: use me, name@example.com, @example.com or everyone`);
    if (!own(user).includes(key) && !manages(user, domainOf(key))) throw new AppError(403, 'forbidden', `you cannot see or change the policy of ${key}`);
    return { view: { kind: 'address', key }, keys: [key], writer: writer(user, [key]) };
  }

  async function effective(target: Resolved): Promise<PolicyResponse> {
    const rows = await policies.rowsOf(lookupKeysOf(target.view.key));
    const fields = effectivePolicy(rows, target.view.key, config.defaults, (f) => mayEdit(target.writer, f));
    return {
      for: target.view,
      fields,
      preset: presetOf({ spam_tag2_level: fields.spam_tag2_level.value, spam_kill_level: fields.spam_kill_level.value }),
      presets: PRESET_LEVELS,
      limits: { editable: target.writer.admin || config.userEdit, minLevel: config.minLevel, maxLevel: config.maxLevel, levelsLimited: !target.writer.admin },
    };
  }

  /** Writes `values` into the own policy row of `key`; answers what changed. Throws (and so rolls back) on a refused change. */
  async function writeKey(key: string, values: Partial<PolicyValues>, target: Resolved, t: Transaction) {
    const clearsOnly = Object.values(values).every((v) => v === null);
    if (clearsOnly && !(await lookup.usersOf([key], t)).has(key)) return [];
    const userId = await lookup.ensureUser(key, KEY_PRIORITY[kindOfKey(key)], t);
    const current = await policies.lockUser(userId, t);
    checkChange(target.writer, values, current.values);
    const changed = describeChanges(current.values, values);
    if (!changed.length) return changed;
    // Only a change of either level is held to their order: a row made inconsistent by a domain's later change still takes its other fields.
    if (changed.some((c) => c.field === 'spam_tag2_level' || c.field === 'spam_kill_level'))
      checkLevelOrder(key, { ...current.values, ...values }, await policies.rowsOf(lookupKeysOf(key), t), config.defaults);
    const name = ownPolicyName(key);
    // Never change a row another users row reads too (or one we did not name): copy it, then point this key at the copy.
    if (current.policyName === name && (await policies.usersOfPolicy(current.policyId, t)) === 1) await policies.updatePolicy(current.policyId, values, t);
    else await policies.pointUser(userId, await policies.createPolicy(name, current.policyId, values, t), t);
    return changed;
  }

  return {
    get: (user, target) => effective(resolve(user, target)),

    async update(user, input) {
      const target = resolve(user, input.for);
      const values = withPreset(input.preset, parseValues(input.values ?? {}));
      if (!Object.keys(values).length) throw new AppError(400, 'validation_failed', 'nothing to change: give a preset or values');
      const changed = await lookup.transaction(async (t) => {
        const all = [];
        for (const key of target.keys) all.push(...(await writeKey(key, values, target, t)).map((c) => ({ ...c, key })));
        return all;
      });
      const shown = changed.filter((c) => c.key === target.view.key);
      await audit.record({
        actor: user.email,
        action: 'policy',
        ref: { partitionTag: 0, mailId: '' },
        recipient: target.keys.join(', ').slice(0, 255),
        result: 'ok',
        detail: (shown.length ? shown.map((c) => `${c.field}: ${c.before ?? 'inherit'} → ${c.after ?? 'inherit'}`).join(', ') : 'no change').slice(0, 1000),
      });
      return { ...(await effective(target)), changed: shown.map(({ field, before, after }) => ({ field, before, after })) };
    },
  };
}
