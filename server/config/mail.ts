import { z } from 'zod';
import type { accountsFields } from './accounts';
import { bool, email, milliseconds, type EnvOf } from './fields';
import type { Config } from './types';

/** Notification mails: where they go out, from whom, and the page their links open. */
export const mailFields = {
  AQ_SMTP_URL: z
    .string()
    .regex(/^(smtps?|lmtp):\/\/[^/\s]+$/, 'AQ_SMTP_URL must look like smtp://mail.example.org:25, smtps://…:465 or lmtp://127.0.0.1:24')
    .optional(),
  AQ_MAIL_FROM: email.optional(),
  AQ_SMTP_CA_FILE: z.string().min(1).optional(),
  // Loopback and test servers with a self-signed certificate; AQ_SMTP_CA_FILE is the better fix elsewhere.
  AQ_SMTP_TLS_VERIFY: bool('AQ_SMTP_TLS_VERIFY', true),
  AQ_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'AQ_PUBLIC_URL must be the http(s) address of the page that embeds the widget')
    .optional(),
  AQ_NOTIFY_DELAY_MS: milliseconds().optional(),
};

type MailEnv = EnvOf<typeof mailFields> & Pick<EnvOf<typeof accountsFields>, 'AQ_DEFAULT_DOMAIN'>;

/** The notification mail part of the Config. */
export function mailConfig(env: MailEnv): Pick<Config, 'mail'> {
  return {
    mail: {
      url: env.AQ_SMTP_URL,
      from: env.AQ_MAIL_FROM ?? `quarantine@${env.AQ_DEFAULT_DOMAIN ?? 'localhost'}`,
      publicUrl: env.AQ_PUBLIC_URL,
      batchDelayMs: env.AQ_NOTIFY_DELAY_MS ?? 60_000,
      caFile: env.AQ_SMTP_CA_FILE,
      tlsVerify: env.AQ_SMTP_TLS_VERIFY,
    },
  };
}
