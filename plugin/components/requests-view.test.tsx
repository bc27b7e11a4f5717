// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReleaseRequestView } from '../../shared/requests';
import { fakeClient } from '../testing/fakes';
import { RequestsView } from './requests-view';

const request = (id: number): ReleaseRequestView => ({
  id,
  messageId: `m${id}`,
  requester: 'alice@example.test',
  recipient: 'alice@example.test',
  subject: `Invoice ${id}`,
  createdAt: '2026-01-01T10:00:00.000Z',
  status: 'pending',
  decidedBy: null,
  decidedAt: null,
  note: null,
  requestNote: null,
});

// The admins' notification links to AQ_PUBLIC_URL#aq-request=<id>: the view opens on that request.
describe('RequestsView, opened from a notification link', () => {
  beforeEach(() => {
    // jsdom has no layout.
    Element.prototype.scrollIntoView = vi.fn();
  });
  afterEach(cleanup);

  it('scrolls to the linked request and focuses its note', async () => {
    const client = fakeClient({ requests: vi.fn().mockResolvedValue({ items: [request(1), request(2), request(3)] }) });
    const notify = vi.fn();
    render(<RequestsView client={client} notify={notify} linked={2} />);
    const linked = (await screen.findByText('Invoice 2')).closest('li')!;
    expect(linked.getAttribute('aria-current')).toBe('true');
    // Effects run after the paint.
    await waitFor(() => expect(document.activeElement).toBe(linked.querySelector('input')));
    expect(notify).not.toHaveBeenCalled();
  });

  it('says so when the linked request is no longer pending', async () => {
    const client = fakeClient({ requests: vi.fn().mockResolvedValue({ items: [request(1)] }) });
    const notify = vi.fn();
    render(<RequestsView client={client} notify={notify} linked={9} />);
    await waitFor(() => expect(notify).toHaveBeenCalledWith({ kind: 'info', text: 'Already decided.' }));
  });
});

describe('RequestsView, approving', () => {
  afterEach(cleanup);

  it('approves spam at once, and a virus only after a confirmation that names the risk; Cancel approves nothing', async () => {
    const approve = vi.fn().mockResolvedValue({});
    const items = [
      { ...request(1), type: 'spam' as const },
      { ...request(2), type: 'virus' as const },
    ];
    const client = fakeClient({ requests: vi.fn().mockResolvedValue({ items }), approve });
    render(<RequestsView client={client} notify={vi.fn()} />);
    const [spam, virus] = await Promise.all([screen.findByText('Invoice 1'), screen.findByText('Invoice 2')]).then((els) => els.map((el) => el.closest('li')!));
    fireEvent.click(spam!.querySelector('button[value="approve"]')!);
    await waitFor(() => expect(approve).toHaveBeenCalledWith(1));

    fireEvent.click(virus!.querySelector('button[value="approve"]')!);
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Release this message to alice@example.test? It contains a virus');
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(approve).toHaveBeenCalledTimes(1);

    fireEvent.click(virus!.querySelector('button[value="approve"]')!);
    fireEvent.click(await screen.findByRole('button', { name: 'Release anyway' }));
    await waitFor(() => expect(approve).toHaveBeenCalledWith(2));
    expect(approve).toHaveBeenCalledTimes(2);
  });
});
