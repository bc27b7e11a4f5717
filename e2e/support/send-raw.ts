import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AppContext } from '../../server/context';
import { GTUBE, storedIds } from './send-mail';
import { stackEnv } from './stack';

const run = promisify(execFile);

/** A whole message as bytes, built by the test: the header fields, then a blank line, then the body. */
export interface RawMail {
  /** Header lines without Message-Id (added here) and without line ends; may hold raw 8-bit bytes (latin1 strings). */
  headers: string[];
  body: Buffer | string;
}

/**
 * Sends a message exactly as given (swaks --data) through the real amavisd, and waits until amavisd
 * has stored it. Returns the API id of each recipient's row. For the hostile mail that the helpers of
 * send-mail.ts cannot build: raw 8-bit headers, deep HTML, odd MIME.
 */
export async function sendRawThroughAmavis(context: AppContext, to: string[], mail: RawMail): Promise<Record<string, string>> {
  const messageId = `<raw.${randomBytes(6).toString('hex')}@tests.example.test>`;
  const dir = mkdtempSync(path.join(tmpdir(), 'aq-raw-'));
  const file = path.join(dir, 'mail.eml');
  const head = Buffer.from([...mail.headers, `Message-Id: ${messageId}`, `To: ${to.join(', ')}`].join('\r\n') + '\r\n\r\n', 'latin1');
  writeFileSync(file, Buffer.concat([head, Buffer.isBuffer(mail.body) ? mail.body : Buffer.from(mail.body, 'utf8')]));
  try {
    const args = ['--server', `127.0.0.1:${stackEnv().AQ_SMTP_IN_PORT}`, '--from', 'hostile@sender.example.net', '--to', to.join(',')];
    await run('swaks', [...args, '--data', `@${file}`, '--silent', '2'], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return storedIds(context, messageId);
}

/** Quoted-printable, soft-broken at 76 columns (what a mailer sends for long HTML). */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  let line = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = byte === 0x3d || byte > 0x7e || (byte < 0x20 && byte !== 0x0a) ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
    if (ch === '\n') {
      out.push(line);
      line = '';
      continue;
    }
    if (line.length + ch.length > 75) {
      out.push(`${line}=`);
      line = '';
    }
    line += ch;
  }
  out.push(line);
  return out.join('\r\n');
}

const htmlMail = (subject: string, html: string, encoding: '8bit' | 'quoted-printable' = '8bit'): RawMail => ({
  headers: [
    `From: Hostile <hostile@sender.example.net>`,
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    `Content-Transfer-Encoding: ${encoding}`,
  ],
  // GTUBE first: SpamAssassin reads only the first 400 KB, and the mail must land in the quarantine.
  body: encoding === 'quoted-printable' ? quotedPrintable(`<p>${GTUBE}</p>\n${html}`) : `<p>${GTUBE}</p>\n${wrap(html)}`,
});

// SMTP lines must stay under 1000 bytes: break the generated HTML between tags.
const wrap = (html: string) => html.replace(/(.{1,900})(?=<)/g, '$1\n');

const row = (i: number) => `<tr><td style="padding:2px">${i}</td><td><a href="https://shop.example/${i}">Offer ${i}</a></td><td>${'x'.repeat(40)}</td></tr>`;

/** The hostile set of issue #10: each is small enough for amavisd, and each once froze the server. */
export const HOSTILE_MAILS: Record<string, () => RawMail> = {
  'deep-divs': () => htmlMail('10,000 nested divs', `${'<div>'.repeat(10_000)}deep${'</div>'.repeat(10_000)}`),
  'unclosed-fonts': () => htmlMail('1,500 unclosed fonts', '<font color="red">x'.repeat(1_500)),
  'unclosed-spans': () => htmlMail('100,000 unclosed spans', '<span>'.repeat(100_000)),
  'big-table': () => htmlMail('An 8 MB table', `<table>${Array.from({ length: (8 * 1024 * 1024) / 100 }, (_, i) => row(i)).join('')}</table>`),
  'qp-html': () =>
    htmlMail('2 MB of quoted-printable HTML', `<table>${Array.from({ length: (2 * 1024 * 1024) / 100 }, (_, i) => row(i)).join('\n')}</table>`, 'quoted-printable'),
  'many-images': () => htmlMail('20,000 images', Array.from({ length: 20_000 }, (_, i) => `<img src="https://t.example/${i}.gif" width="1">`).join('')),
  'latin1-header': () => ({
    // Raw latin-1 bytes in the Subject: forbidden by RFC 5322, sent by old mailers all the same.
    headers: [
      'From: Alt <alt@sender.example.net>',
      'Subject: Gr\u00fc\u00dfe aus D\u00fcsseldorf',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: 8bit',
    ],
    body: Buffer.from(`Sch\u00f6ne Gr\u00fc\u00dfe.\r\n\r\n${GTUBE}\r\n`, 'latin1'),
  }),
  'smime-only': () => ({
    // An S/MIME message is one opaque part; the raw 8-bit byte in X-Note makes amavisd quarantine it
    // (bad header) without a text part for GTUBE.
    headers: [
      'From: Signer <signer@sender.example.net>',
      'Subject: Signed',
      'X-Note: caf\u00e9',
      'MIME-Version: 1.0',
      'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename=smime.p7m',
    ],
    body: `${randomBytes(600)
      .toString('base64')
      .replace(/(.{76})/g, '$1\r\n')}\r\n`,
  }),
};
