import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** Our own tables, in AQ_APP_DB_URL with an aq_ prefix. amavis's tables are never created or altered. */
export interface AppModels {
  Session: ModelStatic<Model>;
  Audit: ModelStatic<AuditRow>;
  ReleaseRequest: ModelStatic<ReleaseRequestRow>;
  RateLimit: ModelStatic<RateLimitRow>;
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
  note: string | null;
  admins_notified_at: Date | null;
}

/** One audited event: who did what to which recipient's copy, and what amavisd answered. */
export interface AuditRow extends Model {
  id: number;
  at: Date;
  actor: string;
  action: 'view' | 'release' | 'delete' | 'purge' | 'request' | 'cancel' | 'approve' | 'deny';
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
  return { Session, Audit, ReleaseRequest, RateLimit };
}

/** Creates our tables when they are missing (never alters existing ones). */
export async function ensureAppTables(models: AppModels): Promise<void> {
  await models.Session.sync();
  await models.Audit.sync();
  await models.ReleaseRequest.sync();
  await models.RateLimit.sync();
}
