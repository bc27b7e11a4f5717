import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';

/** Our own tables, in AQ_APP_DB_URL with an aq_ prefix. amavis's tables are never created or altered. */
export interface AppModels {
  Session: ModelStatic<Model>;
  Audit: ModelStatic<AuditRow>;
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
  return { Session, Audit };
}

/** Creates our tables when they are missing (never alters existing ones). */
export async function ensureAppTables(models: AppModels): Promise<void> {
  await models.Session.sync();
  await models.Audit.sync();
}
