import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { detailOf, item } from '../testing/fakes';
import { approvalWarning, forgedSender, shownScore, warningFor } from './risks';

const { t } = createI18n('en');
const spam = item({ id: 's', type: 'spam', envelopeFrom: 'bounce@mail.shop.example', headerFrom: 'Shop <news@shop.example>' });
const forged = item({ id: 'p', type: 'spam', envelopeFrom: 'x@sender.example.net', headerFrom: '"PayPal" <service@paypal.example.net>' });
const virus = item({ id: 'v', type: 'virus' });

describe('risks', () => {
  it('sees a forged sender in unrelated domains, not in a bounce subdomain or a look-alike suffix', () => {
    expect(forgedSender(spam)).toBe(false);
    expect(forgedSender(forged)).toBe(true);
    expect(forgedSender({ envelopeFrom: 'a@paypal.example', headerFrom: 'b@evilpaypal.example' })).toBe(true);
    // A bounce (empty envelope sender) is not a forgery.
    expect(forgedSender({ envelopeFrom: '', headerFrom: 'b@shop.example' })).toBe(false);
  });

  it('asks before releasing a virus, a blocked attachment or phishing, and before deleting several', () => {
    expect(warningFor('release', [spam], t)).toBeUndefined();
    expect(warningFor('release', [virus], t)).toContain('virus');
    expect(warningFor('release', [forged], t)).toContain('phishing');
    const phishy = { ...detailOf(spam), reason: { ...detailOf(spam).reason, auth: { spf: 'softfail', dkim: null, dmarc: null } } };
    expect(warningFor('release', [spam], t, phishy)).toContain('phishing');
    expect(warningFor('release', [spam, forged, virus], t)).toBe('Release 3 messages? 1 contains a virus. 1 looks like phishing (a forged sender).');
    expect(warningFor('request', [virus], t)).toBeUndefined();
    expect(warningFor('delete', [virus], t)).toBeUndefined();
    expect(warningFor('delete', [spam, virus], t)).toBe('Delete 2 messages?');
    // "Not spam" releases: it asks what a release would; learning and the sender lists never ask.
    expect(warningFor('not_spam', [spam], t)).toBeUndefined();
    expect(warningFor('not_spam', [spam, forged], t)).toBe(warningFor('release', [spam, forged], t));
    for (const action of ['learn_spam', 'allow_sender', 'block_sender'] as const) expect(warningFor(action, [forged, virus], t)).toBeUndefined();
  });

  it('asks before approving a request for a virus, a blocked attachment or a forged sender, naming the recipient', () => {
    const request = { recipient: 'alice@example.test', headerFrom: 'Shop <news@shop.example>', envelopeFrom: 'bounce@mail.shop.example' };
    expect(approvalWarning({ ...request, type: 'spam' }, t)).toBeUndefined();
    expect(approvalWarning({ ...request, type: 'banned' }, t)).toBe(
      'Release this message to alice@example.test? It carries a blocked attachment, such as a program, that can harm a computer.',
    );
    expect(approvalWarning({ ...request, type: 'virus' }, t)).toContain('It contains a virus');
    expect(approvalWarning({ ...request, type: 'spam', headerFrom: forged.headerFrom, envelopeFrom: forged.envelopeFrom }, t)).toContain('phishing');
    // A message the cleanup removed (no type, no senders), or one amavis called clean: nothing to name.
    expect(approvalWarning({ recipient: 'alice@example.test', type: null }, t)).toBeUndefined();
    expect(approvalWarning({ ...request, type: 'other' }, t)).toBeUndefined();
  });

  it('shows no spam score for a virus amavis never scored', () => {
    expect(shownScore('virus', 0)).toBeNull();
    expect(shownScore('spam', 0)).toBe(0);
    expect(shownScore('banned', 7.5)).toBe(7.5);
  });
});
