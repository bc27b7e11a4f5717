import { describe, expect, it } from 'vitest';
import { decodePdpValue, encodePdpRequest, encodePdpValue, parseSetReply, PdpReplyReader } from './pdp-protocol';

// Real replies recorded from amavisd-new 2.13 (see ../shared/AMAVIS.md).
const RELEASED =
  'setreply=250 2.0.0 from%20MTA(lmtp:[127.0.0.1]:2424):%20250%202.0.0%20<alice@example.test>%20abc%20Saved\r\n' + 'return_value=ok\r\nexit_code=0\r\n\r\n';
const MISMATCH = 'setreply=450 4.5.0 Failure:%20Secret_id%20aaaa%20does%20not%20match%20mail_id%20bbbb\r\n' + 'return_value=tempfail\r\nexit_code=75\r\n\r\n';

describe('encoding', () => {
  it('%-encodes anything that could break the framing, as UTF-8 bytes', () => {
    expect(encodePdpValue('<alice@example.test>')).toBe('<alice@example.test>');
    expect(encodePdpValue('a b=c%d\r\n')).toBe('a%20b%3Dc%25d%0D%0A');
    expect(encodePdpValue('jörg')).toBe('j%C3%B6rg');
  });

  it('round-trips through decode', () => {
    for (const v of ['plain', 'a b=c%d\r\n', 'jörg 🎉', '100%']) {
      expect(decodePdpValue(Buffer.from(encodePdpValue(v)).toString('latin1'))).toBe(v);
    }
  });

  it('frames a request with CRLF and a closing empty line', () => {
    expect(
      encodePdpRequest([
        ['request', 'release'],
        ['recipient', '<a b@x>'],
      ]),
    ).toBe('request=release\r\nrecipient=<a%20b@x>\r\n\r\n');
    expect(() => encodePdpRequest([['bad name', 'x']])).toThrow(/invalid AM.PDP attribute/);
  });
});

describe('setreply', () => {
  it('splits on spaces before decoding each field', () => {
    expect(parseSetReply('250 2.0.0 from%20MTA(lmtp:[127.0.0.1]:2424):%20250%202.0.0%20Ok')).toEqual({
      code: 250,
      enhanced: '2.0.0',
      text: 'from MTA(lmtp:[127.0.0.1]:2424): 250 2.0.0 Ok',
    });
  });

  it('keeps a %20 inside a field from being taken for a separator', () => {
    expect(parseSetReply('450 4.5.0 Failure:%20x')?.text).toBe('Failure: x');
    expect(parseSetReply('250 No%20enhanced')).toEqual({ code: 250, enhanced: undefined, text: 'No enhanced' });
    expect(parseSetReply('nonsense')).toBeUndefined();
  });
});

describe('PdpReplyReader', () => {
  it('assembles a reply split across arbitrary reads, byte by byte', () => {
    const reader = new PdpReplyReader();
    let result = reader.push('');
    for (const ch of RELEASED) result = reader.push(Buffer.from(ch, 'latin1'));
    expect(result.kind).toBe('reply');
    if (result.kind !== 'reply') return;
    expect(result.reply.setReplies).toEqual([{ code: 250, enhanced: '2.0.0', text: 'from MTA(lmtp:[127.0.0.1]:2424): 250 2.0.0 <alice@example.test> abc Saved' }]);
    expect(result.reply.returnValue).toBe('ok');
    expect(result.reply.exitCode).toBe(0);
  });

  it('waits for the empty line before answering', () => {
    const reader = new PdpReplyReader();
    expect(reader.push('setreply=250 2.0.0 Ok\r\n').kind).toBe('incomplete');
    expect(reader.push('\r\n').kind).toBe('reply');
  });

  it('returns one result per setreply line, and the request-level failure', () => {
    const reader = new PdpReplyReader();
    const twoRecipients = 'setreply=250 2.0.0 Ok\nsetreply=550 5.1.1 User%20unknown\n' + MISMATCH.replace(/^.*\r\n/, '');
    const result = reader.push(twoRecipients);
    if (result.kind !== 'reply') throw new Error(result.kind);
    expect(result.reply.setReplies.map((r) => r.code)).toEqual([250, 550]);
    expect(result.reply.setReplies[1]?.text).toBe('User unknown');
    expect(result.reply.returnValue).toBe('tempfail');
    expect(result.reply.exitCode).toBe(75);
  });

  it('decodes the secret mismatch reply', () => {
    const result = new PdpReplyReader().push(MISMATCH);
    if (result.kind !== 'reply') throw new Error(result.kind);
    expect(result.reply.setReplies[0]).toMatchObject({ code: 450, enhanced: '4.5.0' });
    expect(result.reply.setReplies[0]?.text).toMatch(/does not match mail_id/);
  });

  it('recognises an SMTP greeting: the port is not an AM.PDP policy bank', () => {
    const reader = new PdpReplyReader();
    expect(reader.push('22').kind).toBe('incomplete');
    expect(reader.push('0 [127.0.0.1] ESMTP amavisd-new service ready\r\n')).toEqual({
      kind: 'smtp',
      banner: '220 [127.0.0.1] ESMTP amavisd-new service ready',
    });
  });
});
