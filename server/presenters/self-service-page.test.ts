import { describe, expect, it } from 'vitest';
import type { QuarantineItem } from '../../shared/quarantine';
import { renderErrorPage, renderLinkPage, renderOutcomePage } from './self-service-page';

const item: QuarantineItem = {
  id: 'x',
  receivedAt: '2026-11-30T10:00:00.000Z',
  envelopeFrom: 'spam@bad.example',
  headerFrom: '',
  recipient: 'alice@example.test',
  subject: '<b>hi</b>',
  spamLevel: 9,
  type: 'spam',
  size: 1,
  status: 'new',
  purgeInDays: 3,
  actions: ['release', 'delete'],
};

describe('self-service page', () => {
  it('offers allow and block with a signed link, the link’s own action first', () => {
    const html = renderLinkPage('en', item, 'tok', 'self-service?lang=en', 'block');
    const buttons = [...html.matchAll(/<button[^>]*value="(\w+)"/g)].map((m) => m[1]);
    expect(buttons).toEqual(['block', 'release', 'delete', 'allow']);
    expect(html).toContain('value="block" class="primary">Block this sender</button>');
    expect(html).toContain('action="self-service?lang=en"');
    expect(html).not.toContain('<b>hi</b>');
  });

  it('offers nothing but the view without a token, and no allow/block for a copy with no actions left', () => {
    expect(renderLinkPage('en', item, undefined, 'self-service')).not.toContain('<button');
    expect(renderLinkPage('en', { ...item, actions: [] }, 'tok', 'self-service')).not.toContain('<button');
  });

  it('says why a link is refused, in its language', () => {
    expect(renderErrorPage('de', 'not_found', 'expired')).toContain('Dieser Link ist abgelaufen.');
    expect(renderErrorPage('fr', 'not_found', 'invalid')).toContain('Ce lien n’est pas valide');
    expect(renderErrorPage('en', 'not_found', 'gone')).toContain('This message is no longer kept.');
    expect(renderErrorPage('en', 'not_found')).toContain('This link is not valid (any more).');
    expect(renderOutcomePage('de', 'allow')).toContain('Erlaubt-Liste');
  });
});
