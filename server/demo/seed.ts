import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';

/** How amavis judged each shipped sample, as amavisd would have stored it. */
const SAMPLES: Array<{ file: string; content: string; score: number; tests: string; alert?: string; to: string[]; envelopeFrom?: string; daysAgo: number[] }> = [
  {
    file: 'spam-pharmacy.eml',
    content: 'S',
    score: 14.2,
    tests: 'BAYES_99=3.5, PHARMACY_OFFER=4.1, URIBL_BLACK=1.7, FREEMAIL_FROM=0.8, RDNS_NONE=1.3, HTML_MESSAGE=0.001, DRUGS_ERECTILE=2.8',
    to: ['alice@demo.example', 'bob@demo.example'],
    daysAgo: [0, 2, 5, 9],
  },
  {
    file: 'newsletter.eml',
    content: 'Y',
    score: 6.1,
    tests: 'BAYES_80=2.0, HTML_IMAGE_RATIO_02=0.8, MIME_HTML_MOSTLY=1.0, URIBL_GREY=2.3',
    to: ['bob@demo.example', 'alice@demo.example'],
    daysAgo: [1, 8],
  },
  {
    file: 'false-positive.eml',
    content: 'Y',
    score: 5.4,
    tests: 'URGENT_OFFER=1.9, FREE_DELIVERY=1.6, BAYES_50=0.8, SUBJ_ALL_CAPS=1.1',
    to: ['alice@demo.example'],
    daysAgo: [0],
  },
  {
    file: 'phishing.eml',
    content: 'S',
    score: 21.8,
    tests: 'PHISH_ACCOUNT_SUSPENDED=6.0, URI_PHISH=4.2, T_REMOTE_IMAGE=0.1, FORGED_SENDER=3.5, SPF_FAIL=4.0, DKIM_INVALID=4.0',
    to: ['alice@demo.example'],
    envelopeFrom: 'bounce-8812@mailer.bulk.example',
    daysAgo: [0, 3],
  },
  {
    file: 'invoice-exe.eml',
    content: 'B',
    score: 2.1,
    tests: 'MIME_EXE=2.1',
    alert: 'BANNED, message contains application/octet-stream,.exe,invoice.exe',
    to: ['alice@demo.example'],
    daysAgo: [0, 6],
  },
  { file: 'eicar.eml', content: 'V', score: 0, tests: '', alert: 'INFECTED, message contains virus: Eicar-Test-Signature', to: ['bob@demo.example'], daysAgo: [1] },
  {
    file: 'bad-header.eml',
    content: 'H',
    score: 1.2,
    tests: 'MISSING_MID=0.5, RDNS_NONE=0.7',
    alert: 'Non-encoded non-ASCII data (and not UTF-8) (char FC hex) in message header X-Legacy-Note',
    to: ['bob@demo.example'],
    daysAgo: [2],
  },
];

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * A secret_id and the mail_id amavisd derives from it: base64url(md5(secret))[:12]. Like amavisd
 * (Amavis::Util::generate_mail_id), it draws again until the mail_id starts and ends with a letter or
 * digit; the API refuses any other mail_id as forged, so about one demo message in sixteen could not be opened.
 */
export function newMailIds(): { mailId: string; secretId: string } {
  for (;;) {
    const secret = randomBytes(9);
    const mailId = b64url(createHash('md5').update(secret).digest()).slice(0, 12);
    if (/^[A-Za-z0-9].*[A-Za-z0-9]$/.test(mailId)) return { secretId: b64url(secret), mailId };
  }
}

/** Fills the demo database with the shipped samples, quarantined the way amavisd stores them. */
export async function seedDemo(sequelize: Sequelize, samplesDir: string): Promise<number> {
  const maddr = new Map<string, number>();
  const addressId = async (email: string) => {
    const known = maddr.get(email);
    if (known) return known;
    const domain = email
      .slice(email.indexOf('@') + 1)
      .split('.')
      .reverse()
      .join('.');
    await sequelize.query('INSERT OR IGNORE INTO maddr (partition_tag, email, domain) VALUES (0, :email, :domain)', {
      replacements: { email: Buffer.from(email), domain },
    });
    const [[row]] = (await sequelize.query('SELECT id FROM maddr WHERE email = :email', { replacements: { email: Buffer.from(email) } })) as [
      Array<{ id: number }>,
      unknown,
    ];
    maddr.set(email, Number(row?.id));
    return Number(row?.id);
  };

  let count = 0;
  for (const sample of SAMPLES) {
    const raw = readFileSync(path.join(samplesDir, sample.file));
    const head = raw.toString('latin1');
    const from = /^From: (.*)$/m.exec(head)?.[1]?.trim() ?? '';
    const subject = /^Subject: (.*)$/m.exec(head)?.[1]?.trim() ?? '';
    const messageId = /^Message-ID: (.*)$/im.exec(head)?.[1]?.trim() ?? '';
    const envelopeFrom = sample.envelopeFrom ?? /<([^>]+)>/.exec(from)?.[1] ?? '';
    for (const daysAgo of sample.daysAgo) {
      const { mailId, secretId } = newMailIds();
      const time = Math.floor(Date.now() / 1000) - daysAgo * 86_400 - Math.floor(Math.random() * 36_000);
      // amavisd prepends these fields to the quarantined copy.
      const prefix = [
        `X-Envelope-From: <${envelopeFrom}>`,
        `X-Envelope-To: ${sample.to.map((t) => `<${t}>`).join(', ')}`,
        `X-Envelope-To-Blocked: ${sample.to.map((t) => `<${t}>`).join(', ')}`,
        `X-Quarantine-ID: <${mailId}>`,
        ...(sample.alert ? [`X-Amavis-Alert: ${sample.alert}`] : []),
        `X-Spam-Flag: ${sample.score >= 6.31 ? 'YES' : 'NO'}`,
        `X-Spam-Score: ${sample.score}`,
        `X-Spam-Status: ${sample.score >= 6.31 ? 'Yes' : 'No'}, score=${sample.score} tag=-999 tag2=6.31 kill=6.31${sample.tests ? ` tests=[${sample.tests}]` : ''} autolearn=no`,
        ...(sample.file === 'phishing.eml'
          ? ['Authentication-Results: mx.demo.example; spf=fail smtp.mailfrom=mailer.bulk.example; dkim=fail header.d=demo-bank.example; dmarc=fail']
          : []),
        ...(sample.file === 'false-positive.eml'
          ? ['Authentication-Results: mx.demo.example; spf=pass smtp.mailfrom=partner.example; dkim=pass header.d=partner.example; dmarc=pass']
          : []),
      ].join('\r\n');
      const stored = Buffer.concat([Buffer.from(`${prefix}\r\n`, 'latin1'), raw]);
      const sid = await addressId(envelopeFrom);
      await sequelize.query(
        `INSERT INTO msgs (partition_tag, mail_id, secret_id, am_id, time_num, time_iso, sid, size, content, quar_type, spam_level, message_id, from_addr, subject, host)
         VALUES (0, :mailId, :secretId, :amId, :time, :iso, :sid, :size, :content, 'Q', :score, :messageId, :from, :subject, 'demo-amavis.example')`,
        {
          replacements: {
            mailId: Buffer.from(mailId),
            secretId: Buffer.from(secretId),
            amId: randomBytes(4).toString('hex'),
            time,
            iso:
              new Date(time * 1000)
                .toISOString()
                .replace(/[-:]|\.\d+/g, '')
                .slice(0, 15) + 'Z',
            sid,
            size: stored.length,
            content: sample.content,
            score: sample.score,
            messageId,
            from,
            subject,
          },
        },
      );
      for (const [i, rcpt] of sample.to.entries()) {
        await sequelize.query(
          `INSERT INTO msgrcpt (partition_tag, mail_id, rseqnum, rid, is_local, content, ds, rs, bspam_level, smtp_resp)
           VALUES (0, :mailId, :rseqnum, :rid, 'Y', :content, 'D', '', :score, '250 2.7.0 Ok, discarded')`,
          { replacements: { mailId: Buffer.from(mailId), rseqnum: i + 1, rid: await addressId(rcpt), content: sample.content, score: sample.score } },
        );
      }
      for (let offset = 0, chunk = 1; offset < stored.length; offset += 16_384, chunk++) {
        await sequelize.query('INSERT INTO quarantine (partition_tag, mail_id, chunk_ind, mail_text) VALUES (0, :mailId, :chunk, :text)', {
          replacements: { mailId: Buffer.from(mailId), chunk, text: stored.subarray(offset, offset + 16_384) },
        });
      }
      count++;
    }
  }
  return count;
}
