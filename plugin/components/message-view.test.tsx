// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import { detailOf, fakeClient, item } from '../testing/fakes';
import { MessageView } from './message-view';

const banned = item({ id: 'b1', subject: 'Invoice', type: 'banned', actions: ['request', 'delete'] });

describe('MessageView', () => {
  afterEach(cleanup);

  it('offers what the item allows, by button and by key, and reloads after acting', async () => {
    const requested = detailOf({ ...banned, status: 'requested', actions: ['delete'] });
    const message = vi.fn().mockResolvedValueOnce(detailOf(banned)).mockResolvedValueOnce(requested);
    const requestRelease = vi.fn().mockResolvedValue({});
    const notify = vi.fn();
    const client = fakeClient({ message, requestRelease });
    render(<MessageView client={client} id="b1" notify={notify} onBack={vi.fn()} />);
    await screen.findByText('Invoice', { selector: 'h3' });
    const bar = screen.getByRole('toolbar', { name: 'Message actions' });
    expect(
      within(bar)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Request release', 'Delete', 'More']);
    // Focus is on "back" once the message is in; r is not allowed here, q is.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: /Back to the list/ })));
    fireEvent.keyDown(document.activeElement!, { key: 'r' });
    expect(client.release).not.toHaveBeenCalled();
    fireEvent.keyDown(document.activeElement!, { key: 'q' });
    await waitFor(() => expect(requestRelease).toHaveBeenCalledWith('b1'));
    await waitFor(() =>
      expect(
        within(bar)
          .getAllByRole('button')
          .map((b) => b.textContent),
      ).toEqual(['Delete', 'More']),
    );
    expect(notify).toHaveBeenCalledWith({ kind: 'success', text: 'Release requested. An administrator will decide.' });
  });

  it('goes back after a delete', async () => {
    const onBack = vi.fn();
    const client = fakeClient({ message: vi.fn().mockResolvedValue(detailOf(banned)), remove: vi.fn().mockResolvedValue({ id: 'b1', status: 'deleted' }) });
    render(<MessageView client={client} id="b1" notify={vi.fn()} onBack={onBack} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(onBack).toHaveBeenCalledWith(true));
  });

  it('says why a message cannot be shown, and stays usable', async () => {
    const onBack = vi.fn();
    const client = fakeClient({ message: vi.fn().mockRejectedValue(new ApiError(404, 'not_found', 'This message is no longer in the quarantine.')) });
    render(<MessageView client={client} id="gone" notify={vi.fn()} onBack={onBack} />);
    expect((await screen.findByRole('alert')).textContent).toBe('No longer in the quarantine.');
    expect(screen.queryByText('Loading…')).toBeNull();
    expect(document.querySelector('section.aq-message')?.getAttribute('aria-busy')).toBe('false');
    fireEvent.click(screen.getByRole('button', { name: /Back to the list/ }));
    expect(onBack).toHaveBeenCalled();
  });

  it("explains in the user's words why a body is simplified or missing, and what is not listed", async () => {
    const detail = { ...detailOf(banned), parseError: 'too_complex' as const, bodyTruncated: true, attachmentsOmitted: 3 };
    detail.attachments = [{ name: 'a.txt', type: 'text/plain', size: 10, sha256: 'ab'.repeat(32), disposition: 'attachment' }];
    render(<MessageView client={fakeClient({ message: vi.fn().mockResolvedValue(detail) })} id="b1" notify={vi.fn()} onBack={vi.fn()} />);
    expect(await screen.findByText(/Too complex to show safely/)).toBeTruthy();
    expect(screen.getByText('Only the beginning of this message is shown.')).toBeTruthy();
    expect(screen.getByText('3 more attachments are not listed.')).toBeTruthy();
  });

  it('sends a release again only on the explicit button, after one that got no answer', async () => {
    const spam = item({ id: 's1', subject: 'Lost', type: 'spam', actions: ['release', 'delete'] });
    const unknown = detailOf({ ...spam, releaseState: { state: 'unknown', sentAt: '2026-11-30T10:31:00.000Z', by: 'alice@example.test' } });
    const release = vi.fn().mockResolvedValue({ id: 's1', status: 'released', alreadyReleased: false, reply: null });
    render(<MessageView client={fakeClient({ message: vi.fn().mockResolvedValue(unknown), release })} id="s1" notify={vi.fn()} onBack={vi.fn()} />);
    expect(await screen.findByText(/no answer came back/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Release again anyway' }));
    await waitFor(() => expect(release).toHaveBeenCalledWith('s1', true));
  });

  it('asks before releasing a virus, names the risk, shows no spam score, and then shows the new state in place', async () => {
    const virus = item({ id: 'v1', subject: 'Eicar', type: 'virus', spamLevel: 0, actions: ['release', 'delete'] });
    const message = vi
      .fn()
      .mockResolvedValueOnce(detailOf(virus))
      .mockResolvedValueOnce(detailOf({ ...virus, status: 'released', actions: ['delete'] }));
    const release = vi.fn().mockResolvedValue({ id: 'v1', status: 'released', alreadyReleased: false, reply: null });
    const notify = vi.fn();
    render(<MessageView client={fakeClient({ message, release })} id="v1" notify={notify} onBack={vi.fn()} />);
    const button = await screen.findByRole('button', { name: 'Release' });
    expect(button.className).not.toContain('aq-btn--primary');
    expect(document.querySelector('.aq-why')?.textContent).not.toContain('Spam score');
    fireEvent.click(button);
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('It contains a virus');
    // r on the dialog does not release behind its back.
    fireEvent.keyDown(document.activeElement!, { key: 'r' });
    expect(release).not.toHaveBeenCalled();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Release anyway' }));
    await waitFor(() => expect(release).toHaveBeenCalledTimes(1));
    expect(notify).toHaveBeenCalledWith({ kind: 'info', text: 'Releasing…' });
    expect((await screen.findByText('Released', { selector: '[data-aq-state]' })).getAttribute('data-aq-state')).toBe('released');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: /Back to the list/ })));
  });

  it('asks before releasing mail that looks like phishing (failed sender checks or a forged sender)', async () => {
    const spam = item({ id: 'p1', subject: 'Your bank', type: 'spam', actions: ['release', 'delete'] });
    const phish = { ...detailOf(spam), senderMismatch: true };
    phish.reason = { ...phish.reason, auth: { spf: 'fail', dkim: null, dmarc: 'fail' } };
    render(<MessageView client={fakeClient({ message: vi.fn().mockResolvedValue(phish) })} id="p1" notify={vi.fn()} onBack={vi.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Release' }));
    expect((await screen.findByRole('alertdialog')).textContent).toContain('It looks like phishing');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
  });
});
