import { AuditView } from '../components/audit-view';
import { auditCss } from '../styles-screens';
import { chunks } from './loader';

/** The Audit log screen, with its CSS. */
const audit = { AuditView, css: auditCss };
export type AuditChunk = typeof audit;
chunks.define('audit', audit);
