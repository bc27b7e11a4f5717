// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POLICY_FIELDS, PRESET_LEVELS, USER_EDITABLE_FIELDS, type PolicyField, type PolicyFieldView, type PolicyResponse, type PolicyTarget } from '../../shared/policy';
import type { SessionUser } from '../../shared/session';
import { ApiError } from '../api/client';
import { fakeClient } from '../testing/fakes';
import { SpamPolicyView } from './spam-policy-view';

const alice: SessionUser = { email: 'alice@example.test', role: 'user', addresses: ['alice@example.test'], domains: [] };
const admin: SessionUser = { email: 'admin@example.test', role: 'domain_admin', addresses: ['admin@example.test'], domains: ['example.test'] };
const root: SessionUser = { ...admin, email: 'super@example.test', role: 'super' };
const me: PolicyTarget = { kind: 'me', key: 'alice@example.test' };

/** A policy where every field is the server default, unknown, but for the given ones. */
const policyOf = (fields: Partial<Record<PolicyField, Partial<PolicyFieldView>>> = {}, admins = false, target = me): PolicyResponse => ({
  for: target,
  fields: Object.fromEntries(
    POLICY_FIELDS.map((f) => [f, { source: 'default', value: null, own: null, editable: admins || USER_EDITABLE_FIELDS.includes(f), ...fields[f] }]),
  ) as PolicyResponse['fields'],
  preset: null,
  presets: PRESET_LEVELS,
  limits: { editable: true, minLevel: 3, maxLevel: 20, levelsLimited: !admins },
});
const row = (field: PolicyField) => document.querySelector<HTMLElement>(`[data-aq-field="${field}"]`)!;

describe('SpamPolicyView', () => {
  afterEach(cleanup);

  it('shows each value and where it comes from, and hides the fields only admins change', async () => {
    const policy = vi.fn().mockResolvedValue(
      policyOf({
        spam_tag_level: { source: 'everyone', key: '@.', value: 2 },
        spam_tag2_level: { source: 'domain', key: '@example.test', value: 6.31 },
        spam_kill_level: { source: 'own', key: 'alice@example.test', value: 9, own: 9 },
        spam_lover: { value: true, editable: false },
      }),
    );
    render(<SpamPolicyView client={fakeClient({ policy })} user={alice} />);
    const tag2 = await screen.findByRole<HTMLInputElement>('spinbutton', { name: 'Mark as spam from score' });
    expect(policy).toHaveBeenCalledWith(undefined);
    expect(tag2.value).toBe('6.31');
    expect([tag2.min, tag2.max]).toEqual(['3', '20']);
    const sources = USER_EDITABLE_FIELDS.map((f) => row(f).querySelector('.aq-pfield__src')!.textContent);
    expect(sources).toEqual(['for everyone', 'from example.test', 'set by you', 'server default']);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Let spam through to my inbox (tagged)' }).disabled).toBe(true);
    expect(screen.queryByRole('checkbox', { name: 'Skip spam checks' })).toBeNull();
    expect(screen.queryByRole('combobox', { name: 'For' })).toBeNull();
    // Only a field set here can go back to inheriting.
    expect(screen.getAllByRole('button', { name: /^Inherit/ }).map((b) => b.getAttribute('aria-label'))).toEqual(['Inherit: Quarantine from score']);
  });

  it('fills the levels from a preset and saves it; "Inherit" sends null', async () => {
    const policy = vi.fn().mockResolvedValue(policyOf({ spam_tag2_level: { value: 6.31 }, spam_kill_level: { value: 6.31 } }));
    const saved = policyOf({
      spam_tag2_level: { source: 'own', key: 'alice@example.test', value: 4, own: 4 },
      spam_kill_level: { source: 'own', key: 'alice@example.test', value: 5, own: 5 },
    });
    const savePolicy = vi
      .fn()
      .mockResolvedValueOnce({ ...saved, changed: [] })
      .mockResolvedValueOnce({ ...policyOf({ spam_kill_level: { value: 6.31 } }), changed: [] });
    render(<SpamPolicyView client={fakeClient({ policy, savePolicy })} user={alice} />);
    const normal = await screen.findByRole<HTMLInputElement>('radio', { name: 'Normal' });
    expect(normal.checked).toBe(true);
    fireEvent.click(screen.getByRole('radio', { name: 'Strict' }));
    expect(screen.getByRole<HTMLInputElement>('spinbutton', { name: 'Mark as spam from score' }).value).toBe('4');
    expect(screen.getByRole<HTMLInputElement>('spinbutton', { name: 'Quarantine from score' }).value).toBe('5');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Strict' }).checked).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Saved.'));
    expect(savePolicy).toHaveBeenCalledWith({ preset: 'strict', values: { spam_tag2_level: 4, spam_kill_level: 5 } });
    expect(row('spam_kill_level').querySelector('.aq-pfield__src')!.textContent).toBe('set by you');

    fireEvent.click(screen.getByRole('button', { name: 'Inherit: Quarantine from score' }));
    await waitFor(() => expect(savePolicy).toHaveBeenCalledTimes(2));
    expect(savePolicy).toHaveBeenLastCalledWith({ values: { spam_kill_level: null } });
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Inherit/ })).toBeNull());
    expect(screen.getByRole<HTMLInputElement>('spinbutton', { name: 'Quarantine from score' }).value).toBe('6.31');
  });

  it('shows the server\u2019s refusal of a level out of range, and moves the focus to it', async () => {
    const policy = vi.fn().mockResolvedValue(policyOf());
    const savePolicy = vi.fn().mockRejectedValue(new ApiError(400, 'validation_failed', 'spam_kill_level must be between 3 and 20'));
    render(<SpamPolicyView client={fakeClient({ policy, savePolicy })} user={alice} />);
    fireEvent.input(await screen.findByRole('spinbutton', { name: 'Quarantine from score' }), { target: { value: '50' } });
    fireEvent.submit(screen.getByRole('form', { name: 'Spam filter' }));
    const alert = await waitFor(() => {
      const a = screen.getByRole('alert');
      expect(a.textContent).toBe('Invalid input. (spam_kill_level must be between 3 and 20)');
      return a;
    });
    expect(savePolicy).toHaveBeenCalledWith({ values: { spam_kill_level: 50 } });
    await waitFor(() => expect(document.activeElement).toBe(alert));
  });

  it('lets an admin pick whom the policy is for, and shows the fields only admins change', async () => {
    const policy = vi.fn((target?: string) =>
      Promise.resolve(policyOf({ bypass_spam_checks: { value: target === '@example.test' } }, true, target ? { kind: 'domain', key: target } : me)),
    );
    const { unmount } = render(<SpamPolicyView client={fakeClient({ policy })} user={admin} />);
    const forWhom = await screen.findByRole<HTMLSelectElement>('combobox', { name: 'For' });
    expect([...forWhom.options].map((o) => o.textContent)).toEqual(['You', '@example.test']);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Skip spam checks' }).checked).toBe(false);
    expect(screen.getByRole<HTMLInputElement>('spinbutton', { name: 'Quarantine from score' }).max).toBe('');
    fireEvent.change(forWhom, { target: { value: '@example.test' } });
    await waitFor(() => expect(policy).toHaveBeenLastCalledWith('@example.test'));
    await waitFor(() => expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Skip spam checks' }).checked).toBe(true));
    expect(within(screen.getByRole('form', { name: 'Spam filter' })).getByRole('textbox', { name: 'Quarantine spam to' })).toBeTruthy();
    unmount();

    render(<SpamPolicyView client={fakeClient({ policy })} user={root} />);
    const all = await screen.findByRole<HTMLSelectElement>('combobox', { name: 'For' });
    expect([...all.options].map((o) => o.textContent)).toEqual(['You', '@example.test', 'Everyone', 'Another domain…']);
  });
});
