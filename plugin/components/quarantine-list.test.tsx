// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserCapabilities } from '../../shared/session';
import type { ListFocus } from '../hooks/use-list-focus';
import { fakeClient, item } from '../testing/fakes';
import { QuarantineList } from './quarantine-list';

const USER: UserCapabilities = { decideRequests: false, readAudit: false, seesOthersMail: false };
const spam = item({ id: 'spam', subject: 'Cheap pills', actions: ['release', 'delete'] });
const banned = item({ id: 'banned', subject: 'Invoice', type: 'banned', actions: ['request', 'delete'] });

const buttons = (scope: HTMLElement) =>
  within(scope)
    .queryAllByRole('button')
    .map((b) => b.textContent);

async function showList(capabilities = USER, overrides: Parameters<typeof fakeClient>[0] = {}, focus?: ListFocus) {
  const client = fakeClient({ list: vi.fn().mockResolvedValue({ items: [spam, banned], nextCursor: null }), ...overrides });
  const notify = vi.fn();
  const onOpen = vi.fn();
  render(<QuarantineList client={client} capabilities={capabilities} notify={notify} onOpen={onOpen} focus={focus} />);
  await screen.findByText('Invoice');
  const row = (id: string) => document.querySelector<HTMLElement>(`[data-aq-item="${id}"]`)!;
  return { client, notify, onOpen, row };
}

describe('QuarantineList', () => {
  afterEach(cleanup);

  it('draws each row\u2019s buttons from its actions', async () => {
    const { row } = await showList();
    expect(buttons(row('spam'))).toEqual(['Release', 'Delete']);
    expect(buttons(row('banned'))).toEqual(['Request release', 'Delete']);
    expect(document.querySelector('.aq-item__rcpt')).toBeNull();
  });

  it('shows recipients and the deleted filter to those who see others\u2019 mail', async () => {
    await showList({ ...USER, seesOthersMail: true });
    expect(document.querySelectorAll('.aq-item__rcpt')).toHaveLength(2);
    expect(screen.getByRole('option', { name: 'Deleted' })).toBeTruthy();
  });

  it('offers a bulk action when one selected item has it, and sends only those items', async () => {
    const batchWithProgress = vi.fn().mockResolvedValue({ results: [{ id: 'spam', ok: true, status: 'deleted' }] });
    const release = vi.fn().mockResolvedValue({ id: 'spam', status: 'released', alreadyReleased: false, reply: null });
    const { client } = await showList(USER, { batchWithProgress, release });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    const bulk = document.querySelector<HTMLElement>('.aq-bulk')!;
    expect(buttons(bulk)).toEqual(['Release', 'Request release', 'Delete']);
    fireEvent.click(within(bulk).getByRole('button', { name: 'Release' }));
    await waitFor(() => expect(release).toHaveBeenCalledWith('spam'));
    await waitFor(() => expect(client.list).toHaveBeenCalledTimes(2));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    fireEvent.click(within(bulk).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(batchWithProgress).toHaveBeenCalledWith('delete', ['spam', 'banned'], expect.any(Function)));
  });

  it('moves with j/k, opens with Enter, and acts by key only where allowed', async () => {
    const requestRelease = vi.fn().mockResolvedValue({});
    const { onOpen, row, client } = await showList(USER, { requestRelease });
    row('spam').focus();
    fireEvent.keyDown(row('spam'), { key: 'j' });
    expect(document.activeElement).toBe(row('banned'));
    fireEvent.keyDown(row('banned'), { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith('banned');
    fireEvent.keyDown(row('banned'), { key: 'r' });
    expect(client.release).not.toHaveBeenCalled();
    fireEvent.keyDown(row('banned'), { key: 'q' });
    await waitFor(() => expect(requestRelease).toHaveBeenCalledWith('banned'));
    fireEvent.keyDown(row('banned'), { key: 'k' });
    expect(document.activeElement).toBe(row('spam'));
  });

  it('takes the focus it was given once loaded: the search after sign-in, the message left after "back"', async () => {
    await showList(USER, {}, { search: true });
    expect(document.activeElement).toBe(screen.getByRole('searchbox'));
    cleanup();
    const { row } = await showList(USER, {}, { item: 'banned' });
    await waitFor(() => expect(document.activeElement).toBe(row('banned')));
    expect(row('banned').tabIndex).toBe(0);
    expect(row('spam').tabIndex).toBe(-1);
  });

  it('says when the list cannot be loaded', async () => {
    const notify = vi.fn();
    const client = fakeClient({ list: vi.fn().mockRejectedValue(new Error('down')) });
    render(<QuarantineList client={client} capabilities={USER} notify={notify} onOpen={vi.fn()} />);
    await waitFor(() => expect(notify).toHaveBeenCalledWith({ kind: 'error', text: 'Something went wrong. Please try again.' }));
    expect(await screen.findByText(/No quarantined messages/)).toBeTruthy();
  });
});
