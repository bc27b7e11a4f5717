import { DataTypes, Model, type ModelStatic, type Sequelize } from 'sequelize';

/** Our own tables, in AQ_APP_DB_URL with an aq_ prefix. amavis's tables are never created or altered. */
export interface AppModels {
  Session: ModelStatic<Model>;
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
  return { Session };
}

/** Creates our tables when they are missing (never alters existing ones). */
export async function ensureAppTables(models: AppModels): Promise<void> {
  await models.Session.sync();
}
