import { isIP } from 'node:net';
import { z } from 'zod';
import { list, parsedBy, port, type EnvOf } from './fields';
import type { Config } from './types';

/** Which reverse proxies to believe about the client's address: none, the nearest N hops, or these addresses. */
export type TrustProxy = false | number | readonly string[];

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isSubnet = (entry: string) => {
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};

/**
 * Parses AQ_TRUST_PROXY: `false`, a hop count (`1`), or the proxies' addresses and subnets
 * (`127.0.0.1,10.0.0.0/8`, or Express's names `loopback`, `linklocal`, `uniquelocal`). `true` is refused:
 * it believes the left-most X-Forwarded-For, which the client writes, so anyone could pick the address
 * that sign-in throttling counts and that Dovecot is told.
 */
export function parseTrustProxy(raw: string): TrustProxy | string {
  const value = raw.trim().toLowerCase();
  if (value === '' || /^(false|no|off|0)$/.test(value)) return false;
  if (/^(true|yes|on)$/.test(value)) {
    return 'AQ_TRUST_PROXY=true would trust any X-Forwarded-For a client makes up: give the number of proxies in front of this server (e.g. AQ_TRUST_PROXY=1) or their addresses (e.g. AQ_TRUST_PROXY=127.0.0.1,10.0.0.0/8)';
  }
  if (/^\d+$/.test(value)) return Number(value) <= 10 ? Number(value) : 'AQ_TRUST_PROXY: a hop count must be at most 10';
  const entries = list(value);
  const bad = entries.filter((e) => !PROXY_NAMES.has(e) && !isSubnet(e));
  if (bad.length > 0) return `AQ_TRUST_PROXY: "${bad.join('", "')}" is not an address, a subnet (10.0.0.0/8) or loopback/linklocal/uniquelocal`;
  return entries;
}

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
  AQ_TRUST_PROXY: z.string().optional().transform(parsedBy(parseTrustProxy)),
  AQ_WIDGET_FILE: z.string().min(1).optional(),
};

/** The HTTP server part of the Config. */
export function httpConfig(env: EnvOf<typeof httpFields>): Pick<Config, 'logLevel' | 'port' | 'bind' | 'allowedOrigins' | 'widgetFile'> & { trustProxy: TrustProxy } {
  return {
    logLevel: env.AQ_LOG_LEVEL ?? 'info',
    port: env.AQ_PORT ?? 8080,
    bind: env.AQ_BIND ?? '127.0.0.1',
    allowedOrigins: env.AQ_ALLOWED_ORIGINS,
    trustProxy: env.AQ_TRUST_PROXY,
    widgetFile: env.AQ_WIDGET_FILE ?? 'dist/widget/amavis-quarantine.js',
  };
}
