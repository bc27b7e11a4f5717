import { domainToASCII } from 'node:url';
import { AppError } from '../errors';

/**
 * The keys of amavis's lookup tables (README.lookups): `users.email` names a recipient and
 * `mailaddr.email` a sender, as a full address (`alice@example.test`), a domain (`@example.test`), a
 * domain with its subdomains (`@.example.test`) or everyone (`@.`). amavis lowercases what it looks up,
 * and among the rows that match, the highest `priority` wins: a person's own entry beats their domain's,
 * and an address beats its domain.
 */
import type { LookupKeyKind } from '../../shared/sender-lists';

export type { LookupKeyKind };

/** The priorities we give the rows we create, per kind of key (amavis's README uses the same order). */
export const KEY_PRIORITY: Record<LookupKeyKind, number> = { address: 10, domain: 5, subdomains: 3, everyone: 0 };

/** The key that stands for every recipient (a super user's entries) or every sender. */
export const EVERYONE = '@.';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;

/** A domain as amavis compares it: lowercased, IDN in its ASCII (punycode) form; undefined if invalid. */
export function normalizeDomain(input: string): string | undefined {
  const trimmed = input.trim().replace(/\.$/, '');
  if (!trimmed || trimmed.length > 253) return undefined;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return ascii;
}

/** The kind of a stored key (a row we did not write may hold anything: it is shown as it is). */
export function kindOfKey(key: string): LookupKeyKind {
  if (key === EVERYONE) return 'everyone';
  if (key.startsWith('@.')) return 'subdomains';
  if (key.startsWith('@')) return 'domain';
  return 'address';
}

/**
 * Reads what a person typed as a sender: `someone@example.com`, `example.com` or `@example.com` (that
 * domain), `*.example.com` or `.example.com` (the domain and its subdomains). Anything else is a 400
 * with a message that says what is accepted; `<x@y>` and display names are taken apart first.
 */
export function parseSenderKey(input: string): { key: string; kind: LookupKeyKind } {
  const raw = input.trim();
  const angle = /<([^<>]*)>\s*$/.exec(raw);
  const text = (angle ? (angle[1] ?? '') : raw).trim();
  const invalid = () =>
    new AppError(
      400,
      'validation_failed',
      `"${raw.slice(0, 80)}" is not a sender address or domain: use name@example.com, example.com, or *.example.com for its subdomains too`,
    );
  if (!text || text.length > 254) throw invalid();
  const at = text.lastIndexOf('@');
  if (at > 0) {
    const local = text.slice(0, at).toLowerCase();
    const domain = normalizeDomain(text.slice(at + 1));
    if (!domain || !LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) throw invalid();
    return { key: `${local}@${domain}`, kind: 'address' };
  }
  const subdomains = /^(\*\.|\.|@\.)/.exec(text);
  const domain = normalizeDomain(text.replace(/^(\*\.|@\.|@|\.)/, ''));
  if (!domain) throw invalid();
  return subdomains ? { key: `@.${domain}`, kind: 'subdomains' } : { key: `@${domain}`, kind: 'domain' };
}

/** The sender key of a message's sender address for a scope: the address itself, or its domain. */
export function senderKeyOf(address: string, scope: 'address' | 'domain'): { key: string; kind: LookupKeyKind } {
  const parsed = parseSenderKey(address);
  if (scope === 'address' || parsed.kind !== 'address') return parsed;
  return { key: `@${parsed.key.slice(parsed.key.lastIndexOf('@') + 1)}`, kind: 'domain' };
}
