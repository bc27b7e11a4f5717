import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

/** One notification mail. */
export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  /** An HTML alternative to the text (digests). */
  html?: string;
  /** Our own Message-ID, e.g. `<aq-digest-42@host>`, so a delivered copy can be recognised. */
  messageId?: string;
  /** The Content-Language of the mail. */
  language?: string;
}

/**
 * What a failed send tells about the mail: `refused` when the server answered no, or the message data was
 * never sent (connecting, greeting, TLS, envelope); `unknown` when the connection broke after the DATA
 * command, so the server may have taken the mail without us hearing its answer.
 */
export function sendFailureOf(err: unknown): 'refused' | 'unknown' {
  const e = err as { responseCode?: number; dataSent?: boolean };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return 'refused';
  return e.dataSent === true ? 'unknown' : 'refused';
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
export function createMailer(options: { url: string | undefined; from: string; caFile?: string | undefined; tlsVerify?: boolean }): Mailer {
  if (!options.url) return { enabled: false, send: () => Promise.resolve() };
  const url = new URL(options.url);
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  // nodemailer labels every socket error 'CONN', whatever the stage: its transaction log says whether the
  // DATA command went out, which decides between "not sent" and "perhaps delivered" (sendFailureOf).
  const transportFor = (onClientLine: (line: string) => void) =>
    nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : url.protocol === 'lmtp:' ? 24 : 25)),
      secure: url.protocol === 'smtps:',
      lmtp: url.protocol === 'lmtp:',
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      // STARTTLS is used whenever the server offers it, with the certificate verified unless
      // AQ_SMTP_TLS_VERIFY=false (a loopback or test server with a self-signed certificate).
      tls: { minVersion: 'TLSv1.2', rejectUnauthorized: options.tlsVerify !== false, ...(ca ? { ca } : {}) },
      transactionLog: true,
      // Only the client's command lines are looked at; nothing is logged anywhere (AUTH lines carry secrets).
      logger: transactionWatcher(onClientLine),
    });
  return {
    enabled: true,
    async send(mail) {
      let dataSent = false;
      const transport = transportFor((line) => {
        if (/^DATA\b/i.test(line)) dataSent = true;
      });
      try {
        await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: headerText(mail.subject),
          text: mail.text,
          ...(mail.html !== undefined ? { html: mail.html } : {}),
          ...(mail.messageId ? { messageId: mail.messageId } : {}),
          ...(mail.language ? { headers: { 'Content-Language': mail.language, 'Auto-Submitted': 'auto-generated' } } : {}),
        });
      } catch (err) {
        if (err && typeof err === 'object') Object.assign(err, { dataSent });
        throw err;
      } finally {
        transport.close();
      }
    },
  };
}

type LogMethod = (entry: { tnx?: string }, message?: unknown) => void;

/** A nodemailer logger that writes nothing and passes the client's SMTP/LMTP command lines to `onClientLine`. */
function transactionWatcher(onClientLine: (line: string) => void): Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', LogMethod> {
  const ignore: LogMethod = () => undefined;
  return {
    trace: ignore,
    debug: (entry, message) => {
      if (entry?.tnx === 'client' && typeof message === 'string') onClientLine(message);
    },
    info: ignore,
    warn: ignore,
    error: ignore,
    fatal: ignore,
  };
}
