// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { detailOf, fakeClient, item } from '../testing/fakes';
import { AdminRelease } from './admin-release';

const ADMIN = { actions: ['release', 'release_all', 'release_to', 'delete'] as const };
const delivered = { results: [{ recipient: 'bob@example.test', delivered: true }] };

describe('AdminRelease', () => {
  afterEach(cleanup);

  async function askToBob(listed: ReturnType<typeof item>, detail?: ReturnType<typeof detailOf>) {
    const releaseAs = vi.fn().mockResolvedValue(delivered);
    render(<AdminRelease client={fakeClient({ releaseAs })} item={listed} detail={detail} notify={vi.fn()} onDone={vi.fn()} />);
    fireEvent.input(screen.getByRole('textbox', { name: 'Release to another address' }), { target: { value: 'bob@example.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Release' }));
    return { releaseAs, dialog: await screen.findByRole('alertdialog') };
  }

  it('names only the address for spam', async () => {
    const { dialog } = await askToBob(item({ id: 's', actions: [...ADMIN.actions] }));
    expect(dialog.textContent).toContain('Release this message to bob@example.test?Cancel');
  });

  it('names the risk of a virus, and sends nothing until confirmed', async () => {
    const { dialog, releaseAs } = await askToBob(item({ id: 'v', type: 'virus', actions: [...ADMIN.actions] }));
    expect(dialog.textContent).toContain('Release this message to bob@example.test? It contains a virus');
    expect(releaseAs).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Release anyway' }));
    await waitFor(() => expect(releaseAs).toHaveBeenCalledWith('v', { to: 'bob@example.test' }));
  });

  it('names phishing from the opened message\u2019s failed sender checks, and a blocked attachment to every recipient', async () => {
    const spam = item({ id: 'p', actions: [...ADMIN.actions] });
    const phishy = { ...detailOf(spam), reason: { ...detailOf(spam).reason, auth: { spf: null, dkim: 'fail', dmarc: null } } };
    const { dialog } = await askToBob(spam, phishy);
    expect(dialog.textContent).toContain('It looks like phishing');
    cleanup();

    render(<AdminRelease client={fakeClient()} item={item({ id: 'b', type: 'banned', actions: [...ADMIN.actions] })} notify={vi.fn()} onDone={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Release to all recipients' }));
    expect((await screen.findByRole('alertdialog')).textContent).toContain('every recipient it was quarantined for? It carries a blocked attachment');
  });
});
