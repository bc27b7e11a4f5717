import { readFileSync } from 'node:fs';

/** A committed amavis schema file's statements, the CREATE INDEX ones apart so they can run after the load. */
export interface SchemaStatements {
  createTables: string[];
  createIndexes: string[];
  /** The names of the tables it creates, in order. */
  tables: string[];
}

/**
 * Reads one of e2e/stack's schema files (verbatim from amavisd's README.sql-*). GRANTs are left out:
 * the bench's role owns its tables, and the role they name may not exist on a bench server.
 */
export function readSchemaFile(file: string): SchemaStatements {
  const statements = readFileSync(file, 'utf8')
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s && !/^GRANT\b/i.test(s));
  const isIndex = (s: string) => /^CREATE\s+(UNIQUE\s+)?INDEX/i.test(s);
  const createTables = statements.filter((s) => !isIndex(s));
  return {
    createTables,
    createIndexes: statements.filter(isIndex),
    tables: createTables.map((s) => /^CREATE\s+TABLE\s+(\w+)/i.exec(s)?.[1] ?? '').filter(Boolean),
  };
}

/** The CREATE INDEX statements grouped by table, so each table's indexes build on a connection of their own. */
export function indexesByTable(createIndexes: readonly string[]): string[][] {
  const byTable = new Map<string, string[]>();
  for (const sql of createIndexes) {
    const table = /\bON\s+(\w+)/i.exec(sql)?.[1] ?? '';
    byTable.set(table, [...(byTable.get(table) ?? []), sql]);
  }
  return [...byTable.values()];
}
