/** The database errors the amavis-side code tells apart, by MariaDB/MySQL errno or PostgreSQL SQLSTATE. */

interface DbError {
  original?: { code?: string; errno?: number; message?: string };
  parent?: { code?: string; errno?: number };
}

/** ER_NO_SUCH_TABLE, undefined_table (42P01), or SQLite's "no such table": a table that `npm run migrate` has not created yet. */
export function isNoSuchTable(err: unknown): boolean {
  const e = err as DbError;
  const code = e.original?.code ?? e.parent?.code;
  return code === 'ER_NO_SUCH_TABLE' || code === '42P01' || /no such table/i.test(e.original?.message ?? '');
}

/** MariaDB's ER_LOCK_DEADLOCK (InnoDB has rolled the whole transaction back), PostgreSQL's deadlock_detected. */
export function isDeadlock(err: unknown): boolean {
  const e = err as DbError;
  return e.original?.errno === 1213 || e.parent?.errno === 1213 || (e.original?.code ?? e.parent?.code) === '40P01';
}
