import { z } from 'zod';
import { milliseconds, parsedBy, positiveInt, type EnvOf } from './fields';
import type { Config, PdpEndpoint } from './types';

/** Parses `tcp://host:port` or `unix:/path` (the two listeners amavisd's AM.PDP can have). */
export function parsePdpEndpoint(raw: string): PdpEndpoint | undefined {
  const unix = /^unix:(\/.+)$/.exec(raw);
  if (unix?.[1]) return { kind: 'unix', path: unix[1] };
  const tcp = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(raw);
  if (tcp?.[1] && tcp[2]) {
    const portNumber = Number(tcp[2]);
    if (portNumber > 0 && portNumber < 65536) return { kind: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port: portNumber };
  }
  return undefined;
}

/**
 * Parses AQ_PDP: one endpoint, or, when several amavisd hosts share the database, a map from msgs.host
 * to endpoints with `*` for the rest: `mx1.example.org=tcp://10.0.0.1:9998,*=tcp://127.0.0.1:9998`.
 */
export function parsePdpSetting(raw: string): { fallback: PdpEndpoint; byHost: Map<string, PdpEndpoint> } | string {
  const single = parsePdpEndpoint(raw.trim());
  if (single) return { fallback: single, byHost: new Map() };
  if (!raw.includes('=')) return `AQ_PDP must be tcp://host:port or unix:/path, got "${raw}"`;
  const byHost = new Map<string, PdpEndpoint>();
  let fallback: PdpEndpoint | undefined;
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const host = entry.slice(0, at).trim().toLowerCase();
    const endpoint = parsePdpEndpoint(entry.slice(at + 1).trim());
    if (at <= 0 || !endpoint) return `AQ_PDP: "${entry}" must be <amavis host>=tcp://host:port or unix:/path`;
    if (host === '*') fallback = endpoint;
    else byHost.set(host, endpoint);
  }
  if (!fallback) return 'AQ_PDP: a host map needs a default entry, *=tcp://host:port';
  return { fallback, byHost };
}

/** Prints an endpoint the way the configuration spells it. */
export function formatPdpEndpoint(endpoint: PdpEndpoint): string {
  return endpoint.kind === 'unix' ? `unix:${endpoint.path}` : `tcp://${endpoint.host}:${endpoint.port}`;
}

/** amavisd's AM.PDP policy bank(s), for releases. */
export const pdpFields = {
  AQ_PDP: z.string().transform(parsedBy(parsePdpSetting)),
  AQ_PDP_TIMEOUT_MS: milliseconds().optional(),
  AQ_PDP_MAX_CONCURRENT: positiveInt('AQ_PDP_MAX_CONCURRENT').optional(),
};

/** The AM.PDP part of the Config. */
export function pdpConfig(env: EnvOf<typeof pdpFields>): Pick<Config, 'pdp' | 'pdpByHost' | 'pdpTimeoutMs'> & { pdpMaxConcurrent: number } {
  return {
    pdp: env.AQ_PDP.fallback,
    pdpByHost: env.AQ_PDP.byHost,
    pdpTimeoutMs: env.AQ_PDP_TIMEOUT_MS ?? 120_000,
    // amavisd answers AM.PDP with the same children that scan mail ($max_servers, 2 by default in
    // Amavis/Conf.pm, and Debian keeps it): more exchanges at once only queue inside amavisd, while
    // each of ours holds a row lock and a database connection.
    pdpMaxConcurrent: env.AQ_PDP_MAX_CONCURRENT ?? 2,
  };
}
