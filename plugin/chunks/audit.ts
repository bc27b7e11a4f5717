import { AuditView } from '../components/audit-view';
import { chunks } from './loader';

/** The Audit log screen. */
const audit = { AuditView };
export type AuditChunk = typeof audit;
chunks.define('audit', audit);
