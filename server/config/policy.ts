import { z } from 'zod';
import type { ReleaseMode } from '../../shared/actions';
import { MESSAGE_TYPES, type MessageType } from '../../shared/quarantine';
import { bool, parsedBy, positiveInt, type EnvOf } from './fields';
import type { Config } from './types';

/** The default release policy: what a false positive usually is may go out at once; malware may not. */
export const DEFAULT_RELEASE_POLICY: Record<MessageType, ReleaseMode> = {
  spam: 'direct',
  spammy: 'direct',
  'bad-header': 'direct',
  'bad-mime': 'direct',
  oversized: 'direct',
  unchecked: 'request',
  banned: 'request',
  virus: 'admin',
};

/** Parses AQ_RELEASE_POLICY (`banned=direct,spam=request`) over the defaults. */
export function parseReleasePolicy(raw: string): Record<MessageType, ReleaseMode> | string {
  const policy = { ...DEFAULT_RELEASE_POLICY };
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [type, mode] = entry.split('=').map((p) => p.trim());
    if (!MESSAGE_TYPES.includes(type as MessageType) || !['direct', 'request', 'admin'].includes(mode ?? '')) {
      return `AQ_RELEASE_POLICY: "${entry}" must be <type>=direct|request|admin, with a type among ${MESSAGE_TYPES.join(', ')}`;
    }
    policy[type as MessageType] = mode as ReleaseMode;
  }
  return policy;
}

/** What users may do with quarantined mail, and how long it and the audit log are kept. */
export const policyFields = {
  AQ_RELEASE_POLICY: z.string().optional().transform(parsedBy(parseReleasePolicy)),
  AQ_SELF_SERVICE: bool('AQ_SELF_SERVICE', false),
  AQ_RETENTION_DAYS: positiveInt('AQ_RETENTION_DAYS').optional(),
  AQ_AUDIT_RETENTION_DAYS: positiveInt('AQ_AUDIT_RETENTION_DAYS').optional(),
  AQ_MAX_PARSE_BYTES: positiveInt('AQ_MAX_PARSE_BYTES').optional(),
};

/** The policy part of the Config. */
export function policyConfig(env: EnvOf<typeof policyFields>): Pick<Config, 'releasePolicy' | 'selfService' | 'retentionDays' | 'auditRetentionDays' | 'maxParseBytes'> {
  return {
    releasePolicy: env.AQ_RELEASE_POLICY,
    selfService: env.AQ_SELF_SERVICE,
    retentionDays: env.AQ_RETENTION_DAYS ?? 14,
    auditRetentionDays: env.AQ_AUDIT_RETENTION_DAYS ?? 365,
    maxParseBytes: env.AQ_MAX_PARSE_BYTES ?? 25 * 1024 * 1024,
  };
}
