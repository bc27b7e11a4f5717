import { z } from 'zod';
import { bool, list, port, type EnvOf } from './fields';
import type { Config } from './types';

/** The HTTP server: where it listens, who may call it from a browser, what it logs and serves. */
export const httpFields = {
  AQ_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'AQ_LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent')
    .optional(),
  AQ_PORT: port('AQ_PORT').optional(),
  AQ_BIND: z.string().min(1).optional(),
  AQ_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) => list(v))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://mail.example.org'))),
  AQ_TRUST_PROXY: bool('AQ_TRUST_PROXY', false),
  AQ_WIDGET_FILE: z.string().min(1).optional(),
};

/** The HTTP server part of the Config. */
export function httpConfig(env: EnvOf<typeof httpFields>): Pick<Config, 'logLevel' | 'port' | 'bind' | 'allowedOrigins' | 'trustProxy' | 'widgetFile'> {
  return {
    logLevel: env.AQ_LOG_LEVEL ?? 'info',
    port: env.AQ_PORT ?? 8080,
    bind: env.AQ_BIND ?? '127.0.0.1',
    allowedOrigins: env.AQ_ALLOWED_ORIGINS,
    trustProxy: env.AQ_TRUST_PROXY,
    widgetFile: env.AQ_WIDGET_FILE ?? 'dist/widget/amavis-quarantine.js',
  };
}
