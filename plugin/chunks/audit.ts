import { AuditView } from '../components/audit-view';
import { addStrings } from '../i18n';
import { enAudit } from '../i18n/en-audit';
import { auditCss } from '../styles-screens';
import { chunks } from './loader';

/** The Audit log screen, with its CSS. */
const audit = { AuditView, css: auditCss };
export type AuditChunk = typeof audit;
// Its English strings come with it (the main file has only its own), in place before it first renders.
addStrings(enAudit);
chunks.define('audit', audit);
