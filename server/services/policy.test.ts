import { describe, expect, it } from 'vitest';
import type { MessageStatus } from '../../shared/quarantine';
import type { SessionUser } from '../../shared/session';
import { DEFAULT_RELEASE_POLICY } from '../config';
import { AppError } from '../errors';
import { actionsFor, assertCan, assertMayList, capabilitiesOf, requestScopeOf, scopeOf } from './policy';

const base = { addresses: ['a@x.org'], domains: [] as string[] };
const alice: SessionUser = { ...base, email: 'a@x.org', role: 'user' };
const admin: SessionUser = { ...base, email: 'admin@x.org', role: 'domain_admin', domains: ['x.org'] };
const root: SessionUser = { ...base, email: 'root@x.org', role: 'super' };
const policy = { ...DEFAULT_RELEASE_POLICY, banned: 'request' as const, virus: 'admin' as const, spam: 'direct' as const };

const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    return err instanceof AppError ? `${err.status} ${err.code}` : 'crashed';
  }
};

describe('actionsFor', () => {
  it('offers users what the release policy gives them for each kind of mail', () => {
    expect(actionsFor(alice, { type: 'spam', status: 'new' }, policy)).toEqual(['release', 'delete']);
    expect(actionsFor(alice, { type: 'banned', status: 'viewed' }, policy)).toEqual(['request', 'delete']);
    expect(actionsFor(alice, { type: 'virus', status: 'new' }, policy)).toEqual(['request', 'delete']);
    // Mail amavis calls clean or knows no code for is the recipient's to release.
    expect(actionsFor(alice, { type: 'other', status: 'new' }, policy)).toEqual(['release', 'delete']);
  });

  it('follows the copy through its states', () => {
    const banned = (status: MessageStatus) => actionsFor(alice, { type: 'banned', status }, policy);
    expect(banned('requested')).toEqual(['delete']);
    expect(banned('released')).toEqual(['delete']);
    expect(banned('deleted')).toEqual([]);
  });

  it('lets admins release anything still held, and super users purge what is settled', () => {
    expect(actionsFor(admin, { type: 'virus', status: 'requested' }, policy)).toEqual(['release', 'release_all', 'release_to', 'delete']);
    expect(actionsFor(admin, { type: 'spam', status: 'released' }, policy)).toEqual(['release_to', 'delete']);
    expect(actionsFor(admin, { type: 'spam', status: 'deleted' }, policy)).toEqual([]);
    expect(actionsFor(root, { type: 'spam', status: 'deleted' }, policy)).toEqual(['purge']);
    expect(actionsFor(root, { type: 'spam', status: 'new' }, policy)).toEqual(['release', 'release_all', 'release_to', 'delete']);
  });
});

describe('assertCan', () => {
  it('refuses what the policy does not give, with the reason a person needs', () => {
    expect(codeOf(() => assertCan(alice, 'release', { type: 'banned', status: 'new' }, policy))).toBe('403 forbidden');
    expect(() => assertCan(alice, 'release', { type: 'banned', status: 'new' }, policy)).toThrow(/request its release/);
    expect(() => assertCan(alice, 'release', { type: 'virus', status: 'new' }, policy)).toThrow(/only an administrator/);
    expect(codeOf(() => assertCan(alice, 'release_to', { type: 'spam', status: 'new' }, policy))).toBe('403 forbidden');
    expect(codeOf(() => assertCan(admin, 'release', { type: 'virus', status: 'new' }, policy))).toBe('allowed');
  });

  it('leaves the status to the rs guard: a released copy is a conflict there, not a refusal here', () => {
    expect(codeOf(() => assertCan(alice, 'release', { type: 'spam', status: 'released' }, policy))).toBe('allowed');
    expect(codeOf(() => assertCan(alice, 'delete', { type: 'spam', status: 'deleted' }, policy))).toBe('allowed');
  });

  it('never refuses asking an administrator', () => {
    expect(codeOf(() => assertCan(alice, 'request', { type: 'spam', status: 'new' }, policy))).toBe('allowed');
  });
});

describe('scopes and capabilities', () => {
  it('scopes each role', () => {
    expect(scopeOf(alice)).toEqual({ kind: 'addresses', addresses: ['a@x.org'] });
    expect(scopeOf(root)).toEqual({ kind: 'all' });
    expect(scopeOf(admin)).toEqual({ kind: 'domains', domains: ['x.org'], addresses: ['a@x.org'] });
  });

  it('gives requests to admins, their domains only, and the audit log to super users', () => {
    expect(requestScopeOf(root)).toBe('all');
    expect(requestScopeOf(admin)).toEqual({ domains: ['x.org'] });
    expect(codeOf(() => requestScopeOf(alice))).toBe('403 forbidden');
    expect(capabilitiesOf(alice)).toEqual({ decideRequests: false, readAudit: false, seesOthersMail: false, senderLists: true, learn: false });
    expect(capabilitiesOf(admin)).toEqual({ decideRequests: true, readAudit: false, seesOthersMail: true, senderLists: true, learn: false });
    expect(capabilitiesOf(root)).toEqual({ decideRequests: true, readAudit: true, seesOthersMail: true, senderLists: true, learn: false });
  });

  it('shows deleted copies in listings to admins only', () => {
    expect(codeOf(() => assertMayList(alice, ['deleted']))).toBe('403 forbidden');
    expect(codeOf(() => assertMayList(alice, ['new']))).toBe('allowed');
    expect(codeOf(() => assertMayList(admin, ['deleted']))).toBe('allowed');
  });
});
