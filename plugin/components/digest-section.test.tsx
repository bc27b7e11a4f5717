// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigestSettings } from '../../shared/digest';
import { ApiError } from '../api/client';
import { de } from '../i18n/de';
import { createI18n, I18nContext } from '../i18n';
import { fakeClient } from '../testing/fakes';
import { DigestSection } from './digest-section';

const own = (frequency: DigestSettings['frequency'] | null): DigestSettings => ({
  target: { kind: 'user' },
  frequency: frequency ?? 'daily',
  source: frequency ? 'user' : 'domain',
  levels: [
    { source: 'user', key: 'alice@example.test', frequency },
    { source: 'domain', key: 'example.test', frequency: 'daily' },
    { source: 'site', key: '*', frequency: null },
  ],
  editable: true,
});

describe('DigestSection', () => {
  afterEach(cleanup);

  it('shows where the frequency comes from, and saves the choice with the widget\u2019s language', async () => {
    const saveDigest = vi.fn().mockResolvedValue(own('weekly'));
    const client = fakeClient({ digest: vi.fn().mockResolvedValue(own(null)), saveDigest });
    render(
      <I18nContext.Provider value={createI18n('de', undefined, de)}>
        <DigestSection client={client} target="me" />
      </I18nContext.Provider>,
    );
    expect(await screen.findByText('Aktuell: Täglich, von example.test.')).toBeTruthy();
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Standard verwenden' }).checked).toBe(true);
    fireEvent.click(screen.getByRole('radio', { name: 'Wöchentlich' }));
    fireEvent.click(screen.getByRole('button', { name: 'Speichern' }));
    await waitFor(() => expect(saveDigest).toHaveBeenCalledWith({ frequency: 'weekly', language: 'de' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Gespeichert.'));
    expect(screen.getByText('Aktuell: Wöchentlich, von Ihnen gesetzt.')).toBeTruthy();
  });

  it('asks for a domain\u2019s default as domain:…, and inherits again with null', async () => {
    const domain: DigestSettings = { ...own(null), target: { kind: 'domain', domain: 'example.test' }, frequency: 'weekly', source: 'domain' };
    domain.levels = domain.levels.map((l) => (l.source === 'domain' ? { ...l, frequency: 'weekly' } : l));
    const digest = vi.fn().mockResolvedValue(domain);
    const saveDigest = vi.fn().mockResolvedValue(own(null));
    render(<DigestSection client={fakeClient({ digest, saveDigest })} target="@example.test" />);
    expect(digest).toHaveBeenCalledWith('domain:example.test');
    expect((await screen.findByRole<HTMLInputElement>('radio', { name: 'Weekly' })).checked).toBe(true);
    fireEvent.click(screen.getByRole('radio', { name: 'Use the default' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saveDigest).toHaveBeenCalledWith({ frequency: null, language: 'en', for: 'domain:example.test' }));
  });

  it('shows nothing when the server has no digest settings', async () => {
    const digest = vi.fn().mockRejectedValue(new ApiError(404, 'not_found', 'no such API'));
    const { container } = render(<DigestSection client={fakeClient({ digest })} target="me" />);
    await waitFor(() => expect(container.textContent).toBe(''));
  });
});
