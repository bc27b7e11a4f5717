import { z } from 'zod';
import { milliseconds, parsedBy, type EnvOf } from './fields';

/** Whose Bayes store a message is learned into: one for everyone, one per recipient domain, or one per recipient. */
export type LearnLevel = 'global' | 'domain' | 'user';

/** SpamAssassin learning through spamd's TELL (spamc -L): off unless AQ_SPAMD is set. */
export interface LearningConfig {
  spamd: { host: string; port: number } | undefined;
  /**
   * Sent to spamd as its `User:`: nothing (global), the recipient's domain, or the recipient's address. spamd
   * must keep those stores apart itself (an SQL Bayes store, or --virtual-config-dir); see README.
   */
  level: LearnLevel;
  timeoutMs: number;
}

/** Parses `host:port` (or `[v6]:port`). */
export function parseHostPort(raw: string): { host: string; port: number } | string {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d{1,5})$/.exec(raw.trim());
  const port = Number(m?.[2]);
  if (!m?.[1] || !(port > 0 && port < 65536)) return `AQ_SPAMD must be host:port (spamd started with --allow-tell), got "${raw}"`;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export const learningFields = {
  AQ_SPAMD: z.string().transform(parsedBy(parseHostPort)).optional(),
  AQ_LEARN_LEVEL: z.enum(['global', 'domain', 'user']).optional(),
  AQ_SPAMD_TIMEOUT_MS: milliseconds().optional(),
};

export function learningConfig(env: EnvOf<typeof learningFields>): { learning: LearningConfig } {
  return { learning: { spamd: env.AQ_SPAMD, level: env.AQ_LEARN_LEVEL ?? 'global', timeoutMs: env.AQ_SPAMD_TIMEOUT_MS ?? 30_000 } };
}
