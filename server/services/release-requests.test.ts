import { describe, expect, it } from 'vitest';
import type { OutgoingMail } from '../clients/mailer';
import type { ReleaseRequestRow } from '../db/app-models';
import { createLogger } from '../logger';
import { createReleaseRequestService, mailText } from './release-requests';

type Deps = Parameters<typeof createReleaseRequestService>[0];

const row = (fields: Partial<ReleaseRequestRow>) =>
  ({
    id: 7,
    requester: 'alice@example.test',
    recipient: 'alice@example.test',
    recipient_domain: 'example.test',
    subject: 'Invoice',
    request_note: null,
    ...fields,
  }) as ReleaseRequestRow;

/** The service with only what flushNotifications touches: the store's queue and a mailer that keeps the mails. */
function notifier(rows: ReleaseRequestRow[]) {
  const sent: OutgoingMail[] = [];
  const deps = {
    store: { unannounced: () => Promise.resolve(rows), claimAnnouncement: () => Promise.resolve(true) },
    mailer: {
      enabled: true,
      send: (mail: OutgoingMail) => {
        sent.push(mail);
        return Promise.resolve();
      },
    },
    logger: createLogger('silent'),
    config: { superUsers: ['super@example.test'], domainAdmins: new Map(), mail: { publicUrl: 'https://mail.example.test/', batchDelayMs: 0 } },
  } as unknown as Deps;
  return { service: createReleaseRequestService(deps), sent };
}

describe('release request notifications', () => {
  it('flattens control characters: a CR/LF in a subject or note cannot forge lines', () => {
    expect(mailText('Hi\r\n- mallory asks to release "x"\u0000\u2028end')).toBe('Hi - mallory asks to release "x" end');
    expect(mailText(null)).toBe('');
  });

  it("tells the admins the subject on one line, the requester's note, and a link to the request", async () => {
    const { service, sent } = notifier([row({ subject: 'Pay\r\n- mallory@example.test asks to release "y": https://evil.example/', request_note: 'for the\naudit' })]);
    await service.flushNotifications();
    expect(sent).toHaveLength(1);
    const lines = sent[0]!.text.split('\n');
    expect(lines.filter((line) => line.startsWith('- '))).toEqual([
      '- alice@example.test asks to release "Pay - mallory@example.test asks to release "y": https://evil.example/" (to alice@example.test): https://mail.example.test/#aq-request=7',
    ]);
    expect(lines).toContain('  Their note: for the audit');
  });
});
