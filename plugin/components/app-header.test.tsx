// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionOf } from '../testing/fakes';
import { AppHeader } from './app-header';

const tabs = () =>
  screen
    .queryAllByRole('button')
    .filter((b) => b.classList.contains('aq-tab'))
    .map((b) => b.textContent);

describe('AppHeader', () => {
  afterEach(cleanup);

  it('shows tabs from the session\u2019s capabilities, not from a role', () => {
    const { rerender } = render(<AppHeader session={sessionOf('alice@example.test')} current="list" onTab={vi.fn()} onSignOut={vi.fn()} />);
    // The spam filter and the statistics are for everyone: the server says what each may change and see.
    expect(tabs()).toEqual(['Quarantine', 'Spam filter', 'Statistics']);
    rerender(<AppHeader session={sessionOf('admin@example.test', { decideRequests: true })} current="list" onTab={vi.fn()} onSignOut={vi.fn()} />);
    expect(tabs()).toEqual(['Quarantine', 'Requests', 'Spam filter', 'Statistics']);
    const onTab = vi.fn();
    rerender(<AppHeader session={sessionOf('super@example.test', { decideRequests: true, readAudit: true })} current="audit" onTab={onTab} onSignOut={vi.fn()} />);
    expect(tabs()).toEqual(['Quarantine', 'Requests', 'Spam filter', 'Statistics', 'Audit log']);
    rerender(<AppHeader session={sessionOf('alice@example.test', { senderLists: true })} current="senders" onTab={onTab} onSignOut={vi.fn()} />);
    expect(tabs()).toEqual(['Quarantine', 'Sender lists', 'Spam filter', 'Statistics']);
    expect(screen.getByRole('button', { name: 'Sender lists' }).getAttribute('aria-current')).toBe('page');
    rerender(<AppHeader session={sessionOf('super@example.test', { decideRequests: true, readAudit: true })} current="audit" onTab={onTab} onSignOut={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Audit log' }).getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByRole('button', { name: 'Requests' }));
    expect(onTab).toHaveBeenCalledWith('requests');
  });

  it('shows who is signed in, and nothing of a user before sign-in', () => {
    const onSignOut = vi.fn();
    const { rerender } = render(<AppHeader session={null} current="list" onTab={vi.fn()} onSignOut={onSignOut} />);
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    rerender(<AppHeader session={sessionOf('alice@example.test')} current="list" onTab={vi.fn()} onSignOut={onSignOut} />);
    expect(screen.getByText('alice@example.test')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(onSignOut).toHaveBeenCalled();
  });

  it('inside a webmail that has its own (embedded), shows no title and no Sign out, but still whose quarantine it is', () => {
    render(<AppHeader session={sessionOf('alice@example.test')} embedded current="list" onTab={vi.fn()} onSignOut={vi.fn()} />);
    expect(screen.queryByRole('heading')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(screen.getByText('alice@example.test')).toBeTruthy();
  });
});
