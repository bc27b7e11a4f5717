// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NotSpamResponse } from '../../shared/learning';
import type { SenderListEntry } from '../../shared/sender-lists';
import { ApiError } from '../api/client';
import { detailOf, fakeClient, item } from '../testing/fakes';
import { MessageView } from './message-view';

const spam = item({ id: 's1', subject: 'Cheap pills', type: 'spam', actions: ['release', 'delete'] });
const entry = (list: 'allow' | 'block', sender = 'spammer@example.net'): SenderListEntry => ({
  id: 'e1',
  sender,
  senderKind: 'address',
  list,
  wb: list === 'allow' ? 'W' : 'B',
  for: { kind: 'me', key: 'alice@example.test' },
});
const all = { senderLists: true, learn: true };
const toolLabels = () =>
  within(screen.getByRole('group', { name: 'Sender lists' }))
    .getAllByRole('button')
    .map((b) => b.textContent);

describe('MessageView: allow, block, spam and not spam', () => {
  afterEach(cleanup);

  it('offers the sender and learning buttons only as the capabilities and the item allow', async () => {
    const message = vi.fn().mockResolvedValue(detailOf(spam));
    const { unmount } = render(<MessageView client={fakeClient({ message })} id="s1" notify={vi.fn()} onBack={vi.fn()} />);
    await screen.findByText('Cheap pills', { selector: 'h3' });
    expect(screen.queryByRole('group', { name: 'Sender lists' })).toBeNull();
    unmount();

    render(
      <MessageView
        client={fakeClient({ message })}
        id="s1"
        capabilities={{ decideRequests: false, readAudit: false, seesOthersMail: false, ...all }}
        notify={vi.fn()}
        onBack={vi.fn()}
      />,
    );
    await screen.findByText('Cheap pills', { selector: 'h3' });
    expect(toolLabels()).toEqual(['Allow sender', 'Block sender', 'Spam', 'Not spam']);
    cleanup();

    // Banned mail is not "spam": no "Not spam"; and without learning, no "Spam" either.
    const banned = vi.fn().mockResolvedValue(detailOf({ ...spam, type: 'banned' }));
    render(
      <MessageView
        client={fakeClient({ message: banned })}
        id="s1"
        capabilities={{ decideRequests: false, readAudit: false, seesOthersMail: false, learn: true }}
        notify={vi.fn()}
        onBack={vi.fn()}
      />,
    );
    await screen.findByText('Cheap pills', { selector: 'h3' });
    expect(toolLabels()).toEqual(['Spam']);
  });

  it('blocks the sender, then deletes its other messages only when asked', async () => {
    const blockSender = vi.fn().mockResolvedValue({ entry: entry('block'), before: null, others: { count: 2, ids: ['o1', 'o2'], more: false } });
    const batchWithProgress = vi.fn().mockResolvedValue({
      results: [
        { id: 'o1', ok: true },
        { id: 'o2', ok: true },
      ],
    });
    const notify = vi.fn();
    const client = fakeClient({ message: vi.fn().mockResolvedValue(detailOf(spam)), blockSender, batchWithProgress });
    render(
      <MessageView client={client} id="s1" capabilities={{ decideRequests: false, readAudit: false, seesOthersMail: false, ...all }} notify={notify} onBack={vi.fn()} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Block sender' }));
    await waitFor(() => expect(blockSender).toHaveBeenCalledWith('s1', 'address'));
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: 'Sender blocked: spammer@example.net' });
    const ask = await screen.findByRole('alertdialog');
    expect(ask.textContent).toContain('2 more messages from this sender are in your quarantine. Delete them too?');
    await waitFor(() => expect(document.activeElement).toBe(within(ask).getByRole('button', { name: 'Delete' })));
    fireEvent.click(within(ask).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(batchWithProgress).toHaveBeenCalledWith('delete', ['o1', 'o2'], expect.any(Function)));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(notify).toHaveBeenLastCalledWith({ kind: 'success', text: '2 deleted' });
  });

  it('keeps the other messages on "No, keep", and allows a whole domain when chosen', async () => {
    const blockSender = vi.fn().mockResolvedValue({ entry: entry('block'), before: 'allow', others: { count: 1, ids: ['o1'], more: false } });
    const allowSender = vi.fn().mockResolvedValue({ entry: entry('allow', '@example.net'), before: null });
    const client = fakeClient({ message: vi.fn().mockResolvedValue(detailOf(spam)), blockSender, allowSender });
    const notify = vi.fn();
    render(
      <MessageView client={client} id="s1" capabilities={{ decideRequests: false, readAudit: false, seesOthersMail: false, ...all }} notify={notify} onBack={vi.fn()} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Block sender' }));
    fireEvent.click(await screen.findByRole('button', { name: 'No, keep' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(client.batchWithProgress).not.toHaveBeenCalled();
    const scope = screen.getByRole('combobox', { name: 'Sender' });
    expect([...(scope as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['spammer@example.net', 'Whole domain @example.net']);
    fireEvent.change(scope, { target: { value: 'domain' } });
    fireEvent.click(screen.getByRole('button', { name: 'Allow sender' }));
    await waitFor(() => expect(allowSender).toHaveBeenCalledWith('s1', 'domain'));
    expect(notify).toHaveBeenLastCalledWith({ kind: 'success', text: 'Sender allowed: @example.net' });
  });

  it('shows every step of "Not spam", done or not, and the server\u2019s refusal of a block', async () => {
    const answer: NotSpamResponse = {
      steps: [
        { step: 'release', status: 'done', detail: '' },
        { step: 'learn', status: 'failed', detail: 'spamd timed out' },
        { step: 'allow', status: 'skipped', detail: 'sender lists are off' },
      ],
    };
    const message = vi.fn().mockResolvedValue(detailOf(spam));
    const client = fakeClient({
      message,
      notSpam: vi.fn().mockResolvedValue(answer),
      learn: vi.fn().mockResolvedValue({ as: 'spam', outcome: 'already', detail: 'Learned tokens from 0 message(s)' }),
      blockSender: vi.fn().mockRejectedValue(new ApiError(422, 'validation_failed', 'this message has no sender address to allow or block')),
    });
    const notify = vi.fn();
    render(
      <MessageView client={client} id="s1" capabilities={{ decideRequests: false, readAudit: false, seesOthersMail: false, ...all }} notify={notify} onBack={vi.fn()} />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Not spam' }));
    await waitFor(() =>
      expect(notify).toHaveBeenCalledWith({
        kind: 'error',
        text: 'Not spam: Release: done · Learn as not spam: failed (spamd timed out) · Allow sender: skipped (sender lists are off)',
      }),
    );
    // The message was (maybe) released: it is shown afresh.
    await waitFor(() => expect(message).toHaveBeenCalledTimes(2));
    fireEvent.click(screen.getByRole('button', { name: 'Spam' }));
    await waitFor(() => expect(notify).toHaveBeenLastCalledWith({ kind: 'info', text: 'Already learned as spam.' }));
    fireEvent.click(screen.getByRole('button', { name: 'Block sender' }));
    await waitFor(() =>
      expect(notify).toHaveBeenLastCalledWith({
        kind: 'error',
        text: 'Invalid input. (this message has no sender address to allow or block)',
      }),
    );
  });
});
