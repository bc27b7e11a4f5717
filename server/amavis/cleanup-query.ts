import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { forUpdateClause } from './dialect';

/** A mail_id as the driver returns it: a Buffer from MariaDB's VARBINARY or PostgreSQL's bytea, a string from SQLite. */
export type MailId = Buffer | string;

/** The key of one message in msgs, msgrcpt and quarantine. */
export interface MessageKey {
  partition_tag: number;
  mail_id: MailId;
}

/** An open transaction of the cleanup store; statements given none run on their own (autocommit). */
export type CleanupTransaction = Transaction;

/** The raw statements the cleanup's queries are written with. */
export interface CleanupDb {
  select<T extends object>(sql: string, replacements?: Record<string, unknown>, transaction?: CleanupTransaction): Promise<T[]>;
  /** Runs a DELETE (or UPDATE) and returns the number of rows it changed. */
  exec(sql: string, replacements: Record<string, unknown>, transaction?: CleanupTransaction): Promise<number>;
  /** Runs an INSERT or UPDATE. */
  write(sql: string, replacements: Record<string, unknown>, transaction?: CleanupTransaction): Promise<void>;
  /** ' FOR UPDATE' on MariaDB/MySQL and PostgreSQL; SQLite (the demo) has no row locks and no such clause. */
  forUpdate: string;
}

/** Wraps a Sequelize instance in the two statement kinds the cleanup's queries use. */
export function createCleanupDb(sequelize: Sequelize): CleanupDb {
  return {
    select: <T extends object>(sql: string, replacements: Record<string, unknown> = {}, transaction?: CleanupTransaction) =>
      sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction }),
    exec: (sql, replacements, transaction) => sequelize.query(sql, { type: QueryTypes.BULKDELETE, replacements, transaction }),
    write: async (sql, replacements, transaction) => {
      await sequelize.query(sql, { replacements, transaction });
    },
    forUpdate: forUpdateClause(sequelize),
  };
}

/** maddr ids are BIGINT UNSIGNED, read as strings; they go into SQL as checked digits, never as floats. */
export function sqlIds(ids: readonly (string | number)[]): string {
  return ids
    .map((id) => {
      if (!/^\d+$/.test(String(id))) throw new Error(`cleanup: not a maddr id: ${String(id)}`);
      return String(id);
    })
    .join(', ');
}

/** A LIMIT goes into SQL as a checked whole number. */
export function sqlLimit(limit: number): string {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`cleanup: not a row limit: ${limit}`);
  return String(limit);
}
