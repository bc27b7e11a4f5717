// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SenderListEntry } from '../../shared/sender-lists';
import type { SessionUser } from '../../shared/session';
import { ApiError } from '../api/client';
import { fakeClient } from '../testing/fakes';
import { SenderListsView } from './sender-lists-view';

const entries: SenderListEntry[] = [
  { id: 'a', sender: 'friend@example.org', senderKind: 'address', list: 'allow', wb: 'W', for: { kind: 'me', key: 'alice@example.test' } },
  { id: 'b', sender: '@spam.example', senderKind: 'domain', list: 'block', wb: 'B', for: { kind: 'domain', key: '@example.test' } },
  { id: 'c', sender: '@.bulk.example', senderKind: 'subdomains', list: 'other', wb: '3.5', for: { kind: 'everyone', key: '@.' } },
];
const alice: SessionUser = { email: 'alice@example.test', role: 'user', addresses: ['alice@example.test'], domains: [] };
const admin: SessionUser = { email: 'admin@example.test', role: 'domain_admin', addresses: ['admin@example.test'], domains: ['example.test'] };
const rows = () => screen.getAllByRole('row').map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((c) => c.textContent));

describe('SenderListsView', () => {
  afterEach(cleanup);

  it('lists the entries with whom each is for, and removes one', async () => {
    const senderLists = vi
      .fn()
      .mockResolvedValueOnce({ items: entries, truncated: false })
      .mockResolvedValueOnce({ items: entries.slice(1), truncated: false });
    const removeSenderList = vi.fn().mockResolvedValue({ removed: 1 });
    const notify = vi.fn();
    render(<SenderListsView client={fakeClient({ senderLists, removeSenderList })} user={alice} notify={notify} />);
    await screen.findByText('friend@example.org');
    expect(rows().slice(1)).toEqual([
      ['friend@example.org', 'Allowed', 'You'],
      ['@spam.example', 'Blocked', '@example.test'],
      ['@.bulk.example', 'Other (3.5)', 'Everyone'],
    ]);
    // A plain user has no "For" choice.
    expect(screen.queryByRole('combobox', { name: 'For' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Remove: friend@example.org' }));
    await waitFor(() => expect(removeSenderList).toHaveBeenCalledWith('a'));
    await waitFor(() => expect(screen.queryByText('friend@example.org')).toBeNull());
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: 'Entry removed.' });
  });

  it('adds an entry for a domain an admin manages, and shows the server\u2019s refusal inline', async () => {
    const senderLists = vi.fn().mockResolvedValue({ items: [], truncated: false });
    const addSenderList = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(400, 'validation_failed', '"nope" is not an address'))
      .mockResolvedValueOnce({ entry: entries[1], before: null });
    const notify = vi.fn();
    render(<SenderListsView client={fakeClient({ senderLists, addSenderList })} user={admin} notify={notify} />);
    expect(await screen.findByText('No allowed or blocked senders yet.')).toBeTruthy();
    const form = screen.getByRole('form', { name: 'Add' });
    const forWhom = within(form).getByRole<HTMLSelectElement>('combobox', { name: 'For' });
    expect([...forWhom.options].map((o) => o.textContent)).toEqual(['You', '@example.test']);
    const sender = within(form).getByRole('textbox', { name: 'Sender' });
    fireEvent.input(sender, { target: { value: 'nope' } });
    fireEvent.change(within(form).getByRole('combobox', { name: 'List' }), { target: { value: 'block' } });
    fireEvent.change(forWhom, { target: { value: '@example.test' } });
    fireEvent.submit(form);
    expect((await within(form).findByRole('alert')).textContent).toBe('Invalid input. ("nope" is not an address)');
    expect(sender.getAttribute('aria-invalid')).toBe('true');
    expect(addSenderList).toHaveBeenCalledWith({ sender: 'nope', list: 'block', for: '@example.test' });

    fireEvent.input(sender, { target: { value: 'spam.example' } });
    fireEvent.submit(form);
    await waitFor(() => expect(notify).toHaveBeenCalledWith({ kind: 'success', text: 'Sender blocked: @spam.example' }));
    expect(within(form).getByRole('alert').textContent).toBe('');
    expect(senderLists).toHaveBeenCalledTimes(2);
  });
});
