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

  it('offers a bulk action when one selected item has it, sends only those items, and shows each row\u2019s new state', async () => {
    const batchWithProgress = vi.fn().mockResolvedValue({
      results: [
        { id: 'spam', ok: true, status: 'deleted' },
        { id: 'banned', ok: false, code: 'forbidden', message: 'no', httpStatus: 403 },
      ],
    });
    const release = vi.fn().mockResolvedValue({ id: 'spam', status: 'released', alreadyReleased: false, reply: null });
    const { client, notify, row } = await showList(USER, { batchWithProgress, release });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    const bulk = document.querySelector<HTMLElement>('.aq-bulk')!;
    expect(buttons(bulk)).toEqual(['Release', 'Request release', 'Delete']);
    fireEvent.click(within(bulk).getByRole('button', { name: 'Release' }));
    await waitFor(() => expect(release).toHaveBeenCalledWith('spam'));
    // The row says what happened, in place: no reload that would drop it.
    await waitFor(() => expect(row('spam').className).toContain('aq-item--released'));
    expect(client.list).toHaveBeenCalledTimes(1);
    expect(buttons(row('spam'))).toEqual(['Delete']);
    // A bulk delete names how many and waits for the user's yes; the buttons wait with it.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    fireEvent.click(within(bulk).getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Delete 2 messages?');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(batchWithProgress).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(batchWithProgress).toHaveBeenCalledWith('delete', ['spam', 'banned'], expect.any(Function)));
    await waitFor(() => expect(notify).toHaveBeenLastCalledWith({ kind: 'error', text: '1 deleted; 1 failed: Not allowed.' }));
    expect(row('spam').className).toContain('aq-item--deleted');
    expect(row('banned').className).toContain('aq-item--new');
    expect(batchWithProgress).toHaveBeenCalledTimes(1);
  });

  it('asks before releasing a virus or a blocked attachment, in bulk too, and names the risk', async () => {
    const virus = item({ id: 'virus', subject: 'Eicar', type: 'virus', actions: ['release', 'delete'] });
    const banned2 = item({ id: 'b2', subject: 'Invoice', type: 'banned', actions: ['release', 'delete'] });
    const batchWithProgress = vi.fn();
    await showList(USER, { list: vi.fn().mockResolvedValue({ items: [spam, virus, banned2], nextCursor: null }), batchWithProgress });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all' }));
    fireEvent.click(within(document.querySelector<HTMLElement>('.aq-bulk')!).getByRole('button', { name: 'Release' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Release 3 messages? 1 contains a virus. 1 carries a blocked attachment.');
    fireEvent.keyDown(within(dialog).getByRole('button', { name: 'Cancel' }), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(batchWithProgress).not.toHaveBeenCalled();
  });

  it('moves with j/k, opens with Enter, acts by key only where allowed, and after d focuses the next row', async () => {
    const requestRelease = vi.fn().mockResolvedValue({});
    const remove = vi.fn().mockResolvedValue({ id: 'spam', status: 'deleted' });
    const { onOpen, row, client } = await showList(USER, { requestRelease, remove });
    row('spam').focus();
    fireEvent.keyDown(row('spam'), { key: 'j' });
    expect(document.activeElement).toBe(row('banned'));
    fireEvent.keyDown(row('banned'), { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith('banned', undefined);
    fireEvent.keyDown(row('banned'), { key: 'r' });
    expect(client.release).not.toHaveBeenCalled();
    fireEvent.keyDown(row('banned'), { key: 'q' });
    await waitFor(() => expect(requestRelease).toHaveBeenCalledWith('banned'));
    await waitFor(() => expect(row('banned').className).toContain('aq-item--requested'));
    fireEvent.keyDown(row('banned'), { key: 'k' });
    expect(document.activeElement).toBe(row('spam'));
    fireEvent.keyDown(row('spam'), { key: 'd' });
    await waitFor(() => expect(row('spam').className).toContain('aq-item--deleted'));
    await waitFor(() => expect(document.activeElement).toBe(row('banned')));
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
