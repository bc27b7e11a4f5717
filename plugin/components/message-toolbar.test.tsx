// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
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
const all = { decideRequests: false, readAudit: false, seesOthersMail: false, senderLists: true, learn: true };
const toolbar = () => screen.getByRole('toolbar', { name: 'Message actions' });
const toolLabels = () =>
  within(toolbar())
    .getAllByRole('button')
    .map((b) => b.textContent);
const menuLabels = () => screen.getAllByRole('menuitem').map((m) => m.textContent);
const openMore = () => fireEvent.click(within(toolbar()).getByRole('button', { name: 'More' }));

describe('MessageView: the toolbar, with allow, block, spam and not spam', () => {
  afterEach(cleanup);

  it('offers the buttons and menu items only as the capabilities and the item allow', async () => {
    const message = vi.fn().mockResolvedValue(detailOf(spam));
    const { unmount } = render(<MessageView client={fakeClient({ message })} id="s1" notify={vi.fn()} onBack={vi.fn()} />);
    await screen.findByText('Cheap pills', { selector: 'h3' });
    expect(toolLabels()).toEqual(['Release', 'Delete', 'More']);
    openMore();
    expect(menuLabels()).toEqual(['Download original (.eml)']);
    expect(screen.getByRole('menuitem').getAttribute('href')).toBe('/api/messages/s1/raw');
    unmount();

    render(<MessageView client={fakeClient({ message })} id="s1" capabilities={all} notify={vi.fn()} onBack={vi.fn()} />);
    await screen.findByText('Cheap pills', { selector: 'h3' });
    expect(toolLabels()).toEqual(['Release', 'Not spam', 'Delete', 'Block sender', 'More']);
    openMore();
    expect(menuLabels()).toEqual(['Allow sender', 'Allow the whole domain @example.net', 'Block the whole domain @example.net', 'Spam', 'Download original (.eml)']);
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
    expect(toolLabels()).toEqual(['Release', 'Delete', 'More']);
    openMore();
    expect(menuLabels()).toEqual(['Spam', 'Download original (.eml)']);
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
    render(<MessageView client={client} id="s1" capabilities={all} notify={notify} onBack={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Block sender' }));
    await waitFor(() => expect(blockSender).toHaveBeenCalledWith('s1', 'address', false));
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
    render(<MessageView client={client} id="s1" capabilities={all} notify={notify} onBack={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Block sender' }));
    fireEvent.click(await screen.findByRole('button', { name: 'No, keep' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(client.batchWithProgress).not.toHaveBeenCalled();
    openMore();
    fireEvent.click(screen.getByRole('menuitem', { name: 'Allow the whole domain @example.net' }));
    await waitFor(() => expect(allowSender).toHaveBeenCalledWith('s1', 'domain', false));
    expect(notify).toHaveBeenLastCalledWith({ kind: 'success', text: 'Sender allowed: @example.net' });
    // The menu closed, and gave the focus back to "More".
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(within(toolbar()).getByRole('button', { name: 'More' }));
  });

  it('offers an admin the sender’s entry for everyone at the recipient’s domain', async () => {
    const blockSender = vi.fn().mockResolvedValue({ entry: { ...entry('block'), for: { kind: 'domain', key: '@example.test' } }, before: null });
    const client = fakeClient({ message: vi.fn().mockResolvedValue(detailOf({ ...spam, recipient: 'bob@example.test' })), blockSender });
    const { unmount } = render(
      <MessageView client={client} id="s1" capabilities={{ ...all, seesOthersMail: true }} adminOf={(d) => d === 'other.test'} notify={vi.fn()} onBack={vi.fn()} />,
    );
    await screen.findByText('Cheap pills', { selector: 'h3' });
    // Not an admin of the recipient's domain: not offered (the server would refuse it).
    openMore();
    expect(menuLabels()).not.toContain('Block sender for everyone at example.test');
    unmount();
    render(
      <MessageView client={client} id="s1" capabilities={{ ...all, seesOthersMail: true }} adminOf={(d) => d === 'example.test'} notify={vi.fn()} onBack={vi.fn()} />,
    );
    await screen.findByText('Cheap pills', { selector: 'h3' });
    openMore();
    expect(menuLabels()).toEqual([
      'Allow sender',
      'Allow the whole domain @example.net',
      'Block the whole domain @example.net',
      'Allow sender for everyone at example.test',
      'Block sender for everyone at example.test',
      'Spam',
      'Download original (.eml)',
    ]);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Block sender for everyone at example.test' }));
    await waitFor(() => expect(blockSender).toHaveBeenCalledWith('s1', 'address', true));
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
    render(<MessageView client={client} id="s1" capabilities={all} notify={notify} onBack={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Not spam' }));
    await waitFor(() =>
      expect(notify).toHaveBeenCalledWith({
        kind: 'error',
        text: 'Not spam: Release: done · Learn as not spam: failed (spamd timed out) · Allow sender: skipped (sender lists are off)',
      }),
    );
    // The message was (maybe) released: it is shown afresh.
    await waitFor(() => expect(message).toHaveBeenCalledTimes(2));
    openMore();
    fireEvent.click(screen.getByRole('menuitem', { name: 'Spam' }));
    await waitFor(() => expect(notify).toHaveBeenLastCalledWith({ kind: 'info', text: 'Already learned as spam.' }));
    fireEvent.click(screen.getByRole('button', { name: 'Block sender' }));
    await waitFor(() =>
      expect(notify).toHaveBeenLastCalledWith({
        kind: 'error',
        text: 'Invalid input. (this message has no sender address to allow or block)',
      }),
    );
  });

  it('is one tab stop: arrows, Home and End move between its buttons, and the last one focused keeps the tab stop', async () => {
    render(<MessageView client={fakeClient({ message: vi.fn().mockResolvedValue(detailOf(spam)) })} id="s1" capabilities={all} notify={vi.fn()} onBack={vi.fn()} />);
    await screen.findByText('Cheap pills', { selector: 'h3' });
    // Once the message is in, "back" has the focus; Tab then reaches the toolbar.
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Back to the list'));
    const buttons = within(toolbar()).getAllByRole('button');
    expect(buttons.map((b) => b.tabIndex)).toEqual([0, -1, -1, -1, -1]);
    buttons[0]!.focus();
    fireEvent.keyDown(buttons[0]!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons[1]);
    fireEvent.keyDown(buttons[1]!, { key: 'End' });
    expect(document.activeElement?.textContent).toBe('More');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons[0]);
    fireEvent.keyDown(buttons[0]!, { key: 'ArrowLeft' });
    expect(document.activeElement?.textContent).toBe('More');
    await waitFor(() =>
      expect(
        within(toolbar())
          .getAllByRole('button')
          .map((b) => b.tabIndex),
      ).toEqual([-1, -1, -1, -1, 0]),
    );
  });

  it('opens "More" by key on its first item, moves with the arrows, keeps r in the menu, and Esc gives the focus back', async () => {
    const client = fakeClient({ message: vi.fn().mockResolvedValue(detailOf(spam)) });
    render(<MessageView client={client} id="s1" capabilities={all} notify={vi.fn()} onBack={vi.fn()} />);
    await screen.findByText('Cheap pills', { selector: 'h3' });
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Back to the list'));
    const more = within(toolbar()).getByRole('button', { name: 'More' });
    expect(more.getAttribute('aria-haspopup')).toBe('menu');
    expect(more.getAttribute('aria-expanded')).toBe('false');
    // Preact runs effects after the next frame: the one that focuses "back" may still be queued; let it run before the keys below.
    await act(() => new Promise((done) => setTimeout(done, 200)));
    more.focus();
    fireEvent.keyDown(more, { key: 'ArrowDown' });
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Allow sender'));
    expect(more.getAttribute('aria-expanded')).toBe('true');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement?.textContent).toBe('Download original (.eml)');
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement?.textContent).toBe('Allow sender');
    fireEvent.keyDown(document.activeElement!, { key: 'r' });
    expect(client.release).not.toHaveBeenCalled();
    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    document.activeElement!.dispatchEvent(escape);
    // Esc closes the menu only: it does not also leave the message.
    expect(escape.defaultPrevented).toBe(true);
    await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());
    expect(document.activeElement).toBe(more);
    expect(more.getAttribute('aria-expanded')).toBe('false');
  });

  it('offers an admin the releases to another address and to every recipient, which open their form and their question', async () => {
    const admin = item({ id: 'a1', subject: 'Held', actions: ['release', 'release_all', 'release_to', 'delete'] });
    render(<MessageView client={fakeClient({ message: vi.fn().mockResolvedValue(detailOf(admin)) })} id="a1" notify={vi.fn()} onBack={vi.fn()} />);
    await screen.findByText('Held', { selector: 'h3' });
    openMore();
    expect(menuLabels()).toEqual(['Download original (.eml)', 'Release to another address', 'Release to all recipients']);
    fireEvent.click(screen.getByRole('menuitem', { name: 'Release to another address' }));
    const panel = document.querySelector<HTMLDetailsElement>('details.aq-admin-release')!;
    expect(panel.open).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Release to another address' }));
    openMore();
    fireEvent.click(screen.getByRole('menuitem', { name: 'Release to all recipients' }));
    expect((await screen.findByRole('alertdialog')).textContent).toContain('every recipient');
  });
});
