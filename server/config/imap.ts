import { z } from 'zod';
import { bool, port, type EnvOf } from './fields';
import type { Config } from './types';

/** The IMAP server that checks users' passwords at sign-in. */
export const imapFields = {
  AQ_IMAP_HOST: z.string().min(1, 'AQ_IMAP_HOST is required, e.g. mail.example.org'),
  AQ_IMAP_PORT: port('AQ_IMAP_PORT').optional(),
  AQ_IMAP_TLS: z.enum(['tls', 'starttls', 'none'], 'AQ_IMAP_TLS must be tls, starttls or none').optional(),
  AQ_IMAP_TLS_VERIFY: bool('AQ_IMAP_TLS_VERIFY', true),
  AQ_IMAP_CA_FILE: z.string().min(1).optional(),
  AQ_IMAP_MASTER_SEPARATOR: z.string().min(1).max(4).optional(),
};

/** The IMAP part of the Config. */
export function imapConfig(env: EnvOf<typeof imapFields>): Pick<Config, 'imap' | 'imapMasterSeparator'> {
  const tls = env.AQ_IMAP_TLS ?? 'starttls';
  return {
    imap: {
      host: env.AQ_IMAP_HOST,
      port: env.AQ_IMAP_PORT ?? (tls === 'tls' ? 993 : 143),
      tls,
      tlsVerify: env.AQ_IMAP_TLS_VERIFY,
      caFile: env.AQ_IMAP_CA_FILE,
    },
    imapMasterSeparator: env.AQ_IMAP_MASTER_SEPARATOR ?? '*',
  };
}
