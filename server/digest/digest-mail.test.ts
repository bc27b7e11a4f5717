import { describe, expect, it } from 'vitest';
import type { QuarantineItem } from '../../shared/quarantine';
import { composeDigest, oneLine, type DigestEntry } from './digest-mail';

const item = (over: Partial<QuarantineItem> = {}): QuarantineItem => ({
  id: 'x',
  receivedAt: '2026-11-30T10:00:00.000Z',
  envelopeFrom: 'spam@bad.example',
  headerFrom: '',
  recipient: 'alice@example.test',
  subject: 'Cheap pills',
  spamLevel: 12.345,
  type: 'spam',
  size: 1000,
  status: 'new',
  purgeInDays: 13,
  actions: ['release', 'delete'],
  ...over,
});

const entry = (over: Partial<QuarantineItem> = {}, links: DigestEntry['links'] = {}): DigestEntry => ({ item: item(over), links });

describe('composeDigest', () => {
  it('escapes hostile subjects and senders in the HTML, and keeps them on one line in the text', () => {
    const hostile = '<img src=https://evil.example/x.png onerror=alert(1)>\r\nBcc: victim@example.org "quoted" & done';
    const mail = composeDigest({ language: 'en', entries: [entry({ subject: hostile, headerFrom: '"<script>" <a@b.example>' })], more: 0 });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;img src=https://evil.example/x.png onerror=alert(1)&#62; Bcc: victim@example.org &#34;quoted&#34; &#38; done');
    expect(mail.text).toContain('1. <img src=https://evil.example/x.png onerror=alert(1)> Bcc: victim@example.org "quoted" & done');
    expect(mail.text.split('\n').filter((l) => l.startsWith('Bcc:'))).toEqual([]);
  });

  it('removes bidi overrides and bounds the length', () => {
    expect(oneLine('invoice\u202Efdp.exe')).toBe('invoice fdp.exe');
    expect(oneLine('x'.repeat(500))).toHaveLength(160);
  });

  it('writes links as hrefs and full lines, and no remote resource', () => {
    const release = 'https://q.example/api/self-service?token=a.b.c&action=release&lang=en';
    const mail = composeDigest({ language: 'en', entries: [entry({}, { release, allow: `${release}x` })], more: 0, webmailUrl: 'https://mail.example/?_task=mail' });
    expect(mail.html).toContain(`href="https://q.example/api/self-service?token=a.b.c&#38;action=release&#38;lang=en"`);
    expect(mail.text).toContain(`   Release: ${release}`);
    expect(mail.text).toContain('Open your quarantine: https://mail.example/?_task=mail');
    expect(mail.html).not.toMatch(/<img|src=|url\(|<link|@import/i);
  });

  it('speaks en, de and fr, counts what it does not list, and says the score and when it is purged', () => {
    const entries = [entry(), entry({ type: 'banned', spamLevel: null, purgeInDays: 1 })];
    const en = composeDigest({ language: 'en', entries, more: 3 });
    expect(en.subject).toBe('Quarantine: 5 new messages held for you');
    expect(en.text).toContain('Why: Spam · Score: 12.3 · deleted in 13 days');
    expect(en.text).toContain('Why: Blocked attachment · Score: – · deleted in 1 day');
    expect(en.text).toContain('and 3 more messages');
    const de = composeDigest({ language: 'de', entries, more: 0 });
    expect(de.subject).toBe('Quarantäne: 2 neue Nachrichten zurückgehalten');
    expect(de.html).toContain('<html lang="de">');
    expect(de.text).toContain('wird in 13 Tagen gelöscht');
    const fr = composeDigest({ language: 'fr', entries: [entry()], more: 1 });
    expect(fr.subject).toBe('Quarantaine : 2 nouveaux messages retenus');
    expect(fr.text).toContain('et 1 autre message');
  });

  it('marks a message listed again after a digest whose delivery is unknown', () => {
    const mail = composeDigest({ language: 'en', entries: [{ ...entry(), again: true }], more: 0 });
    expect(mail.text).toContain('Also listed because the previous digest may not have reached you.');
  });
});
