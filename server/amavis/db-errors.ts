/** ER_NO_SUCH_TABLE, undefined_table (42P01), or SQLite's "no such table": a table that `npm run migrate` has not created yet. */
export function isNoSuchTable(err: unknown): boolean {
  const e = err as { original?: { code?: string; errno?: number; message?: string }; parent?: { code?: string } };
  const code = e.original?.code ?? e.parent?.code;
  return code === 'ER_NO_SUCH_TABLE' || code === '42P01' || /no such table/i.test(e.original?.message ?? '');
}
