import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

/** One notification mail. */
export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
}

/** Sends our notification mails (release requests and their outcomes), or nothing when unconfigured. */
export interface Mailer {
  readonly enabled: boolean;
  send(mail: OutgoingMail): Promise<void>;
}

/**
 * A header value without control characters. Subjects carry text from quarantined mail: a CR/LF must
 * never start a header of its own, whatever the transport does about it.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const headerText = (value: string): string => value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();

/** Creates the mailer from AQ_SMTP_URL: smtp:// (STARTTLS when offered), smtps://, or lmtp://. */
export function createMailer(options: { url: string | undefined; from: string; caFile?: string | undefined }): Mailer {
  if (!options.url) return { enabled: false, send: () => Promise.resolve() };
  const url = new URL(options.url);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : url.protocol === 'lmtp:' ? 24 : 25)),
    secure: url.protocol === 'smtps:',
    lmtp: url.protocol === 'lmtp:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // STARTTLS is used whenever the server offers it, with the certificate verified.
    tls: { minVersion: 'TLSv1.2', ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}) },
    logger: false,
  });
  return {
    enabled: true,
    async send(mail) {
      await transport.sendMail({ from: options.from, to: mail.to, subject: headerText(mail.subject), text: mail.text });
    },
  };
}
