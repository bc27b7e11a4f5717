import type { AuditAction } from '../../shared/audit';
import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** Our own tables, in AQ_APP_DB_URL with an aq_ prefix. amavis's tables are never created or altered. */
export interface AppModels {
  Session: ModelStatic<Model>;
  Audit: ModelStatic<AuditRow>;
  ReleaseRequest: ModelStatic<ReleaseRequestRow>;
  RateLimit: ModelStatic<RateLimitRow>;
  ReleaseIntent: ModelStatic<ReleaseIntentRow>;
}

/**
 * One release sent (or about to be sent) to amavisd, committed before the AM.PDP request goes out, so
 * that a crash, a cut connection or a lost reply leaves a trace: `open` until the outcome is known.
 */
export interface ReleaseIntentRow extends Model {
  id: number;
  sent_at: Date;
  actor: string;
  partition_tag: number;
  mail_id: string;
  /** The copy released to its own recipient; null for an admin's release to another address. */
  rseqnum: number | null;
  recipient: string;
  status: 'open' | 'delivered' | 'refused' | 'unknown' | 'not_sent';
  /**
   * Unique while the attempt may still deliver or may have delivered unrecorded (open, unknown, or
   * delivered but rs not yet 'R'); null once settled. The unique index is what makes a second send of
   * one copy impossible until someone confirms.
   */
  claim: string | null;
  reply: string | null;
  settled_at: Date | null;
}

/** One rate-limit counter (sign-in throttling, self-service links), shared by every instance. */
export interface RateLimitRow extends Model {
  /** sha256 hex of the limiter's name and its key: accounts and addresses are not stored in clear. */
  id: string;
  hits: number;
  /** When the window ends, in milliseconds since the epoch. */
  reset_at: number;
}

/** A user's request that an admin release one recipient's copy. */
export interface ReleaseRequestRow extends Model {
  id: number;
  created_at: Date;
  requester: string;
  partition_tag: number;
  mail_id: string;
  rseqnum: number;
  recipient: string;
  /** The domain of the recipient, so admins find their domains' requests without amavis joins. */
  recipient_domain: string;
  subject: string;
  status: 'pending' | 'approved' | 'denied' | 'cancelled';
  /** msgrcpt.rs before the request set it to 'p', restored on cancel or deny. */
  previous_rs: string;
  decided_by: string | null;
  decided_at: Date | null;
  /** The admin's note on a denial. */
  note: string | null;
  /** The requester's note: why they want the mail (told to the admins). */
  request_note: string | null;
  admins_notified_at: Date | null;
}

/** One audited event: who did what to which recipient's copy, and what amavisd answered. */
export interface AuditRow extends Model {
  id: number;
  at: Date;
  actor: string;
  action: AuditAction;
  partition_tag: number;
  mail_id: string;
  rseqnum: number | null;
  recipient: string | null;
  result: 'ok' | 'failed' | 'unknown';
  smtp_code: number | null;
  reply: string | null;
  detail: string | null;
}

/** Defines our tables on the app database. */
export function defineAppModels(sequelize: Sequelize): AppModels {
  const Session = sequelize.define(
    'aq_session',
    {
      sid: { type: DataTypes.STRING(64), primaryKey: true },
      expires: { type: DataTypes.DATE, allowNull: true },
      data: { type: DataTypes.TEXT, allowNull: true },
    },
    // The store sweeps expired sessions by `expires`: keep that cheap.
    { tableName: 'aq_sessions', indexes: [{ name: 'aq_sessions_expires', fields: ['expires'] }] },
  );
  const Audit = sequelize.define<AuditRow>(
    'aq_audit',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      at: { type: DataTypes.DATE, allowNull: false },
      actor: { type: DataTypes.STRING(255), allowNull: false },
      action: { type: DataTypes.STRING(16), allowNull: false },
      partition_tag: { type: DataTypes.INTEGER, allowNull: false },
      mail_id: { type: DataTypes.STRING(16), allowNull: false },
      rseqnum: { type: DataTypes.INTEGER, allowNull: true },
      recipient: { type: DataTypes.STRING(255), allowNull: true },
      result: { type: DataTypes.STRING(8), allowNull: false },
      smtp_code: { type: DataTypes.INTEGER, allowNull: true },
      reply: { type: DataTypes.TEXT, allowNull: true },
      detail: { type: DataTypes.TEXT, allowNull: true },
    },
    {
      tableName: 'aq_audit',
      timestamps: false,
      indexes: [
        { name: 'aq_audit_at', fields: ['at'] },
        { name: 'aq_audit_message', fields: ['mail_id', 'partition_tag'] },
        { name: 'aq_audit_actor', fields: ['actor', 'at'] },
      ],
    },
  );
  const ReleaseRequest = sequelize.define<ReleaseRequestRow>(
    'aq_release_request',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      requester: { type: DataTypes.STRING(255), allowNull: false },
      partition_tag: { type: DataTypes.INTEGER, allowNull: false },
      mail_id: { type: DataTypes.STRING(16), allowNull: false },
      rseqnum: { type: DataTypes.INTEGER, allowNull: false },
      recipient: { type: DataTypes.STRING(255), allowNull: false },
      recipient_domain: { type: DataTypes.STRING(255), allowNull: false },
      subject: { type: DataTypes.STRING(255), allowNull: false, defaultValue: '' },
      status: { type: DataTypes.STRING(10), allowNull: false },
      previous_rs: { type: DataTypes.STRING(1), allowNull: false, defaultValue: '' },
      decided_by: { type: DataTypes.STRING(255), allowNull: true },
      decided_at: { type: DataTypes.DATE, allowNull: true },
      note: { type: DataTypes.TEXT, allowNull: true },
      request_note: { type: DataTypes.TEXT, allowNull: true },
      admins_notified_at: { type: DataTypes.DATE, allowNull: true },
    },
    {
      tableName: 'aq_release_requests',
      timestamps: false,
      indexes: [
        { name: 'aq_release_requests_status', fields: ['status', 'recipient_domain', 'created_at'] },
        { name: 'aq_release_requests_row', fields: ['mail_id', 'partition_tag', 'rseqnum'] },
      ],
    },
  );
  const RateLimit = sequelize.define<RateLimitRow>(
    'aq_rate_limit',
    {
      id: { type: DataTypes.CHAR(64), primaryKey: true },
      hits: { type: DataTypes.INTEGER, allowNull: false },
      reset_at: { type: DataTypes.BIGINT, allowNull: false },
    },
    // The sweep removes ended windows by reset_at.
    { tableName: 'aq_rate_limits', timestamps: false, indexes: [{ name: 'aq_rate_limits_reset_at', fields: ['reset_at'] }] },
  );
  const ReleaseIntent = sequelize.define<ReleaseIntentRow>(
    'aq_release_intent',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      sent_at: { type: DataTypes.DATE, allowNull: false },
      actor: { type: DataTypes.STRING(255), allowNull: false },
      partition_tag: { type: DataTypes.INTEGER, allowNull: false },
      mail_id: { type: DataTypes.STRING(16), allowNull: false },
      rseqnum: { type: DataTypes.INTEGER, allowNull: true },
      recipient: { type: DataTypes.STRING(255), allowNull: false },
      status: { type: DataTypes.STRING(10), allowNull: false },
      claim: { type: DataTypes.STRING(300), allowNull: true },
      reply: { type: DataTypes.TEXT, allowNull: true },
      settled_at: { type: DataTypes.DATE, allowNull: true },
    },
    {
      tableName: 'aq_release_intents',
      timestamps: false,
      indexes: [
        { name: 'aq_release_intents_claim', unique: true, fields: ['claim'] },
        { name: 'aq_release_intents_status', fields: ['status'] },
        { name: 'aq_release_intents_message', fields: ['mail_id', 'partition_tag'] },
      ],
    },
  );
  return { Session, Audit, ReleaseRequest, RateLimit, ReleaseIntent };
}

/** Creates our tables when they are missing (never alters existing ones). */
export async function ensureAppTables(models: AppModels): Promise<void> {
  await syncOnce(models.Session);
  await syncOnce(models.Audit);
  await syncOnce(models.ReleaseRequest);
  await addMissingColumn(models.ReleaseRequest, 'request_note');
  await syncOnce(models.RateLimit);
  await syncOnce(models.ReleaseIntent);
}

/**
 * sync() looks for the table and its indexes, then creates what it did not find: instances starting at
 * once on a new database both create, and the slower one fails ("Duplicate key name" on MariaDB, "already
 * exists" on PostgreSQL). Its next look finds everything in place; a failure that stays is real.
 */
async function syncOnce(model: ModelStatic<Model>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await model.sync();
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
    }
  }
}

/**
 * sync() creates missing tables but never alters existing ones: a column added to a model later is added
 * here to tables created before it (nullable, so existing rows stay valid). Instances starting at once
 * may race; the loser's "duplicate column" is fine.
 */
async function addMissingColumn(model: ModelStatic<Model>, column: string): Promise<void> {
  const attribute = model.getAttributes()[column];
  if (!model.sequelize || !attribute) throw new Error(`addMissingColumn: ${model.name} has no attribute ${column}`);
  const queries = model.sequelize.getQueryInterface();
  const table = model.getTableName();
  if (column in (await queries.describeTable(table))) return;
  try {
    await queries.addColumn(table, column, { type: attribute.type, allowNull: attribute.allowNull ?? true });
  } catch (err) {
    if (!(column in (await queries.describeTable(table)))) throw err;
  }
}
