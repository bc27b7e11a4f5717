import { QueryTypes, type Sequelize } from 'sequelize';

/** The operator's alias query (AQ_ALIASES_SQL, `:email` is the user), run on its own database. Returns each row's first column. */
export type AliasQuery = (email: string) => Promise<unknown[]>;

/** Creates the runner of AQ_ALIASES_SQL on the database AQ_ALIASES_DB_URL names. */
export function createAliasQuery(sequelize: Sequelize, sql: string): AliasQuery {
  return async (email) => {
    const rows = await sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT, replacements: { email } });
    return rows.map((row) => Object.values(row)[0]);
  };
}
