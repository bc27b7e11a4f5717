import { pino, type Logger } from 'pino';

export type { Logger };

/** The server's logger: JSON lines, with every path that could hold a credential redacted. */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { service: 'amavis-quarantine' },
    redact: {
      paths: ['password', '*.password', 'secret_id', '*.secret_id', 'headers.cookie', 'headers.authorization', '*.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
