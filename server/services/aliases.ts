import { readFileSync } from 'node:fs';
import type { AliasQuery } from '../db/alias-query';

/** Finds the other addresses whose mail a user receives (aliases of their mailbox). */
export interface AliasSource {
  aliasesOf(email: string): Promise<string[]>;
  /** The users an alias delivers to, from AQ_ALIASES_FILE (AQ_ALIASES_SQL only answers the other way); [] for no alias. */
  usersOf(alias: string): string[];
}

/**
 * Reads AQ_ALIASES_FILE: one alias a line, `alias@example.org: user@example.org, other@example.org`
 * (the targets that receive it), as in a Postfix virtual map. `#` starts a comment.
 */
export function parseAliasFile(text: string): Map<string, string[]> {
  const byTarget = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^([^\s:@]+@[^\s:]+)\s*[:\s]\s*(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const alias = m[1].toLowerCase();
    for (const target of m[2]
      .split(/[,\s]+/)
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t.includes('@'))) {
      byTarget.set(target, [...(byTarget.get(target) ?? []), alias]);
    }
  }
  return byTarget;
}

/** Builds the alias source from config: a file, a SQL query (`:email` is the user), both, or none. */
export function createAliasSource(options: { file?: string | undefined; query?: AliasQuery | undefined }): AliasSource {
  const fromFile = options.file ? parseAliasFile(readFileSync(options.file, 'utf8')) : undefined;
  const byAlias = new Map<string, string[]>();
  for (const [target, aliases] of fromFile ?? []) for (const alias of aliases) byAlias.set(alias, [...(byAlias.get(alias) ?? []), target]);
  return {
    usersOf: (alias) => byAlias.get(alias.toLowerCase()) ?? [],
    async aliasesOf(email) {
      const found = new Set(fromFile?.get(email) ?? []);
      for (const value of options.query ? await options.query(email) : []) {
        const address = (typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : '').trim().toLowerCase();
        if (address.includes('@')) found.add(address);
      }
      found.delete(email);
      return [...found];
    },
  };
}
