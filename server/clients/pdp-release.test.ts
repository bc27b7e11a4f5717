import { describe, expect, it } from 'vitest';
import { PdpError } from './amavis-pdp';
import { encodePdpRequest, PdpReplyReader, type PdpReply } from './pdp-protocol';
import { buildReleaseRequest, classifyPdpError, describeSmtpReply, interpretReleaseReply, isDelivered } from './pdp-release';

// Real replies recorded from amavisd-new 2.13 on the project's stack (see ../shared/AMAVIS.md).
const REAL = {
  released: 'setreply=250 2.0.0 from%20MTA(lmtp:[127.0.0.1]:2424):%20250%202.0.0%20<alice@example.test>%20abc%20Saved\r\n' + 'return_value=ok\r\nexit_code=0\r\n\r\n',
  mismatch:
    'setreply=450 4.5.0 Failure:%20Secret_id%20AAAAAAAAAAAA%20does%20not%20match%20mail_id%20aqHealthPing%20at%20/usr/share/perl5/Amavis/In/AMPDP.pm%20line%20311,%20<GEN11>%20line%208.\r\n' +
    'return_value=tempfail\r\nexit_code=75\r\n\r\n',
  // An unknown mail_id with a valid secret_id, two recipients named: one request-level setreply.
  unknownMailId:
    "setreply=450 4.5.0 Failure:%20Can't%20open%20sql%20obj%20for%20reading:%20No%20such%20file%20or%20directory%20at%20/usr/share/perl5/Amavis/In/AMPDP.pm%20line%20380.\r\n" +
    'return_value=tempfail\r\nexit_code=75\r\n\r\n',
  nothingToDo: 'setreply=250 2.5.0 No%20recipients,%20nothing%20to%20do\r\nreturn_value=ok\r\nexit_code=0\r\n\r\n',
};

function reply(wire: string): PdpReply {
  const result = new PdpReplyReader().push(wire);
  if (result.kind !== 'reply') throw new Error(`not a reply: ${result.kind}`);
  return result.reply;
}

const request = {
  mailId: 'm1Q2w3E4r5T6',
  secretId: 's3cr3t-_x',
  partitionTag: 7,
  recipients: ['alice@example.test', '<bob@example.test>'],
  requestedBy: 'admin@example.test',
};

describe('buildReleaseRequest', () => {
  it('names every recipient, quoted, after the message facts, and defaults quar_type to Q', () => {
    const fields = buildReleaseRequest(request);
    expect(fields).toEqual([
      ['request', 'release'],
      ['mail_id', 'm1Q2w3E4r5T6'],
      ['secret_id', 's3cr3t-_x'],
      ['partition_tag', '7'],
      ['quar_type', 'Q'],
      ['recipient', '<alice@example.test>'],
      ['recipient', '<bob@example.test>'],
      ['requested_by', '<admin@example.test>'],
    ]);
    expect(encodePdpRequest(fields)).toBe(
      'request=release\r\nmail_id=m1Q2w3E4r5T6\r\nsecret_id=s3cr3t-_x\r\npartition_tag=7\r\nquar_type=Q\r\n' +
        'recipient=<alice@example.test>\r\nrecipient=<bob@example.test>\r\nrequested_by=<admin@example.test>\r\n\r\n',
    );
  });

  it('keeps another quar_type', () => {
    expect(buildReleaseRequest({ ...request, quarType: 'F' })).toContainEqual(['quar_type', 'F']);
  });

  it('refuses to release without a recipient: amavisd would send to every blocked one', () => {
    expect(() => buildReleaseRequest({ ...request, recipients: [] })).toThrow(/every blocked recipient/);
    expect(() => buildReleaseRequest({ ...request, recipients: ['<>'] })).toThrow(/recipient is empty/);
    expect(() => buildReleaseRequest({ ...request, requestedBy: ' ' })).toThrow(/requested_by is empty/);
    expect(() => buildReleaseRequest({ ...request, partitionTag: Number.NaN })).toThrow(/partition_tag/);
  });
});

describe('interpretReleaseReply on real amavisd replies', () => {
  it('reads a delivery by the re-injecting MTA', () => {
    expect(interpretReleaseReply(reply(REAL.released), ['alice@example.test'])).toEqual([
      {
        recipient: 'alice@example.test',
        verdict: 'delivered',
        reply: { code: 250, enhanced: '2.0.0', text: 'from MTA(lmtp:[127.0.0.1]:2424): 250 2.0.0 <alice@example.test> abc Saved' },
        gone: false,
        summary: '250 2.0.0 from MTA(lmtp:[127.0.0.1]:2424): 250 2.0.0 <alice@example.test> abc Saved',
      },
    ]);
  });

  it('applies a request-level secret_id mismatch to every recipient, as temporary', () => {
    const outcomes = interpretReleaseReply(reply(REAL.mismatch), ['a@example.test', 'b@example.test']);
    expect(outcomes.map((o) => [o.recipient, o.verdict, o.gone, o.reply?.code])).toEqual([
      ['a@example.test', 'temporary', false, 450],
      ['b@example.test', 'temporary', false, 450],
    ]);
    expect(outcomes[1]?.summary).toMatch(/^450 4\.5\.0 Failure: Secret_id AAAAAAAAAAAA does not match mail_id aqHealthPing/);
  });

  it('marks every recipient gone when amavisd has no copy of the mail_id', () => {
    const outcomes = interpretReleaseReply(reply(REAL.unknownMailId), ['a@example.test', 'b@example.test']);
    expect(outcomes.map((o) => [o.verdict, o.gone])).toEqual([
      ['temporary', true],
      ['temporary', true],
    ]);
  });

  it('does not take "250 2.5.0 No recipients, nothing to do" for a delivery', () => {
    const [outcome] = interpretReleaseReply(reply(REAL.nothingToDo), ['a@example.test']);
    expect(outcome).toMatchObject({ verdict: 'refused', gone: false, summary: '250 2.5.0 No recipients, nothing to do' });
  });
});

describe('interpretReleaseReply per recipient', () => {
  const wire = (...setreplies: string[]) => reply(`${setreplies.map((s) => `setreply=${s}\r\n`).join('')}return_value=ok\r\n\r\n`);

  it('pairs setreplies with the recipients in order, and passes the MTA\u2019s 5xx through as refused', () => {
    const outcomes = interpretReleaseReply(wire('250 2.0.0 Ok', '550 5.1.1 User%20unknown', '452 4.2.2 Mailbox%20full'), ['a@x.test', 'b@x.test', 'c@x.test']);
    expect(outcomes.map((o) => [o.recipient, o.verdict, o.summary])).toEqual([
      ['a@x.test', 'delivered', '250 2.0.0 Ok'],
      ['b@x.test', 'refused', '550 5.1.1 User unknown'],
      ['c@x.test', 'temporary', '452 4.2.2 Mailbox full'],
    ]);
  });

  it('says unknown for a recipient amavisd gave no setreply for', () => {
    const outcomes = interpretReleaseReply(wire('250 2.0.0 Ok', '250 2.0.0 Ok'), ['a@x.test', 'b@x.test', 'c@x.test']);
    expect(outcomes[2]).toEqual({ recipient: 'c@x.test', verdict: 'unknown', reply: null, gone: false, summary: 'amavisd gave no answer for this recipient' });
    expect(interpretReleaseReply(reply('return_value=ok\r\n\r\n'), ['a@x.test'])[0]?.verdict).toBe('unknown');
  });

  it('never lets a lone delivery stand for other recipients', () => {
    const outcomes = interpretReleaseReply(wire('250 2.0.0 Ok'), ['a@x.test', 'b@x.test']);
    expect(outcomes.map((o) => o.verdict)).toEqual(['delivered', 'unknown']);
  });

  it('says unknown for a code that is no final answer', () => {
    expect(interpretReleaseReply(wire('354 Go%20ahead'), ['a@x.test'])[0]).toMatchObject({ verdict: 'unknown', reply: { code: 354 } });
  });
});

describe('isDelivered and describeSmtpReply', () => {
  it('counts 2xx as delivered, except amavisd\u2019s "nothing to do"', () => {
    expect(isDelivered({ code: 250, enhanced: '2.0.0', text: 'Ok' })).toBe(true);
    expect(isDelivered({ code: 250, enhanced: undefined, text: 'Ok' })).toBe(true);
    expect(isDelivered({ code: 250, enhanced: '2.5.0', text: 'No recipients, nothing to do' })).toBe(false);
    expect(isDelivered({ code: 450, enhanced: '4.5.0', text: 'Failure' })).toBe(false);
    expect(isDelivered(null)).toBe(false);
    expect(isDelivered(undefined)).toBe(false);
  });

  it('puts a reply on one line', () => {
    expect(describeSmtpReply({ code: 250, enhanced: undefined, text: 'multi\r\n  line' })).toBe('250 multi line');
  });
});

describe('classifyPdpError', () => {
  const err = (kind: PdpError['kind'], sent: boolean) => new PdpError(kind, kind, sent);

  it('says unavailable when nothing reached amavisd', () => {
    for (const kind of ['refused', 'not_found', 'permission_denied', 'connect_timeout', 'reset', 'network'] as const) {
      expect(classifyPdpError(err(kind, false))).toBe('unavailable');
    }
  });

  it('says unavailable for an SMTP listener, which cannot release anything even after reading our lines', () => {
    expect(classifyPdpError(err('smtp_listener', true))).toBe('unavailable');
  });

  it('says unknown once the request went out, and on a reply timeout', () => {
    for (const kind of ['reset', 'truncated', 'network'] as const) expect(classifyPdpError(err(kind, true))).toBe('unknown');
    expect(classifyPdpError(err('reply_timeout', false))).toBe('unknown');
  });
});
