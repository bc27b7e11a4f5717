import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** The digest's own tables, in AQ_APP_DB_URL next to the others (app-models.ts). */
export interface DigestModels {
  Setting: ModelStatic<DigestSettingRow>;
  User: ModelStatic<DigestUserRow>;
  Log: ModelStatic<DigestLogRow>;
  State: ModelStatic<DigestStateRow>;
}

/** A frequency (and, for a user, the language) set at one level: a user's address, a domain, or the site (`*`). */
export interface DigestSettingRow extends Model {
  level: 'user' | 'domain' | 'site';
  key: string;
  /** null: this level sets no frequency and inherits (a user row may hold only the language). */
  frequency: string | null;
  language: string | null;
  updated_at: Date;
  updated_by: string;
}

/**
 * One digest recipient (a user, aliases and +extensions merged): how far their digests have covered the list
 * index (`cursor_id`, an aq_list id), the newest copy of theirs seen since (`pending_id`), and when a digest
 * last went out, or may have (an unconfirmed send counts: it is not sent again within the period).
 */
export interface DigestUserRow extends Model {
  address: string;
  cursor_id: number | string;
  pending_id: number | string;
  /** The end of the newest window whose delivery is unknown (0: none): its copies are listed again, marked, in the next digest. */
  unconfirmed_to: number | string;
  last_sent_at: Date | null;
}

/**
 * The sent-log: one row per digest attempt, claimed (committed) before the SMTP transaction starts.
 * status: claimed → sent | failed (not delivered: a 4xx, or never sent) | refused (a 5xx: digest-refusals.ts) | unknown (the connection broke after the data,
 * or the process died: it may have been delivered) | empty (nothing left to list when composed).
 */
export interface DigestLogRow extends Model {
  id: number;
  address: string;
  from_id: number | string;
  to_id: number | string;
  status: 'claimed' | 'sent' | 'failed' | 'refused' | 'unknown' | 'empty';
  claimed_at: Date;
  settled_at: Date | null;
  entries: number;
  detail: string | null;
}

/** Named counters of the digest: `scanned_id`, how far the scan for new copies has read the list index. */
export interface DigestStateRow extends Model {
  name: string;
  value: number | string;
}

/** Defines the digest tables on the app database. */
export function defineDigestModels(sequelize: Sequelize): DigestModels {
  const Setting = sequelize.define<DigestSettingRow>(
    'aq_digest_setting',
    {
      level: { type: DataTypes.STRING(8), primaryKey: true },
      key: { type: DataTypes.STRING(255), primaryKey: true },
      frequency: { type: DataTypes.STRING(8), allowNull: true },
      language: { type: DataTypes.STRING(8), allowNull: true },
      updated_at: { type: DataTypes.DATE, allowNull: false },
      updated_by: { type: DataTypes.STRING(255), allowNull: false },
    },
    { tableName: 'aq_digest_settings', timestamps: false },
  );
  const User = sequelize.define<DigestUserRow>(
    'aq_digest_user',
    {
      address: { type: DataTypes.STRING(255), primaryKey: true },
      cursor_id: { type: DataTypes.BIGINT, allowNull: false },
      pending_id: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      unconfirmed_to: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
      last_sent_at: { type: DataTypes.DATE, allowNull: true },
    },
    { tableName: 'aq_digest_users', timestamps: false },
  );
  const Log = sequelize.define<DigestLogRow>(
    'aq_digest_log',
    {
      id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
      address: { type: DataTypes.STRING(255), allowNull: false },
      from_id: { type: DataTypes.BIGINT, allowNull: false },
      to_id: { type: DataTypes.BIGINT, allowNull: false },
      status: { type: DataTypes.STRING(8), allowNull: false },
      claimed_at: { type: DataTypes.DATE, allowNull: false },
      settled_at: { type: DataTypes.DATE, allowNull: true },
      entries: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      detail: { type: DataTypes.TEXT, allowNull: true },
    },
    {
      tableName: 'aq_digest_log',
      timestamps: false,
      indexes: [
        { name: 'aq_digest_log_address', fields: ['address', 'id'] },
        { name: 'aq_digest_log_status', fields: ['status', 'claimed_at'] },
      ],
    },
  );
  const State = sequelize.define<DigestStateRow>(
    'aq_digest_state',
    { name: { type: DataTypes.STRING(32), primaryKey: true }, value: { type: DataTypes.BIGINT, allowNull: false } },
    { tableName: 'aq_digest_state', timestamps: false },
  );
  return { Setting, User, Log, State };
}

/** Creates the digest tables when they are missing (never alters existing ones). Instances starting at once may race: retried. */
export async function ensureDigestTables(models: DigestModels): Promise<void> {
  for (const model of [models.Setting, models.User, models.Log, models.State] as Array<ModelStatic<Model>>) {
    for (let attempt = 1; ; attempt++) {
      try {
        await model.sync();
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
      }
    }
  }
}
