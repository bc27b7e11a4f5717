import { binaryText } from '../amavis/binary';

/** Rows of whole messages: msgs, and their msgrcpt and quarantine rows. */
export interface MessageCounts {
  messages: number;
  recipientRows: number;
  quarantineRows: number;
  sample: string[];
}

/** What one cleanup run deleted (or, in a dry run, would delete). */
export interface CleanupReport {
  dryRun: boolean;
  retentionDays: number;
  auditRetentionDays: number;
  /** Messages received before this are expired. */
  messagesBefore: string;
  auditBefore: string;
  expired: MessageCounts;
  /** Quarantined messages whose every recipient row is marked deleted (rs='D'). */
  allDeleted: MessageCounts;
  /** msgrcpt rows whose message (msgs row) is gone. */
  orphanRecipients: { rows: number; messages: number; sample: string[] };
  /** quarantine rows whose message (msgs row) is gone. */
  orphanQuarantine: { rows: number; messages: number; sample: string[] };
  /** maddr rows used by no msgs.sid and no msgrcpt.rid, up to horizonId (see addressHorizon). */
  addresses: { rows: number; restored: number; horizonId: string | null; sample: string[] };
  audit: { rows: number };
  /** Days of the statistics rollup (aq_stats) before statsBefore, and how many recipients, domains and the site had some. */
  stats: { rows: number; scopes: number };
  /** The first UTC day (YYYY-MM-DD) the rollup keeps. */
  statsBefore: string;
  warnings: string[];
  durationMs: number;
}

/** A report with nothing counted yet. */
export function emptyCleanupReport(
  header: Pick<CleanupReport, 'dryRun' | 'retentionDays' | 'auditRetentionDays' | 'messagesBefore' | 'auditBefore' | 'statsBefore'>,
): CleanupReport {
  const messageCounts = (): MessageCounts => ({ messages: 0, recipientRows: 0, quarantineRows: 0, sample: [] });
  return {
    ...header,
    expired: messageCounts(),
    allDeleted: messageCounts(),
    orphanRecipients: { rows: 0, messages: 0, sample: [] },
    orphanQuarantine: { rows: 0, messages: 0, sample: [] },
    addresses: { rows: 0, restored: 0, horizonId: null, sample: [] },
    audit: { rows: 0 },
    stats: { rows: 0, scopes: 0 },
    warnings: [],
    durationMs: 0,
  };
}

/** Keeps the first five mail_ids (or maddr ids) of a category, for the report. */
export function addSample(sample: string[], values: readonly (Buffer | string)[]): void {
  sample.push(...values.slice(0, Math.max(0, 5 - sample.length)).map(binaryText));
}
