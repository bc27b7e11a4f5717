import type { AliasSource } from '../services/aliases';

/**
 * Whose digest a recipient address belongs to. Mail to `alice+news@` is alice's (AQ_RECIPIENT_DELIMITER);
 * mail to an alias is its users' (AQ_ALIASES_FILE; an alias only AQ_ALIASES_SQL knows gets a digest of
 * its own, which the mail server delivers to its users when AQ_SMTP_URL is an MTA).
 */
export function digestOwnersOf(address: string, options: { delimiter?: string | undefined; aliases: Pick<AliasSource, 'usersOf'> }): string[] {
  const stripped = stripExtension(address.toLowerCase(), options.delimiter);
  const owners = new Set<string>();
  for (const candidate of new Set([address.toLowerCase(), stripped])) {
    for (const user of options.aliases.usersOf(candidate)) owners.add(stripExtension(user, options.delimiter));
  }
  if (owners.size === 0) owners.add(stripped);
  return [...owners];
}

/** `local<delimiter>ext@domain` → `local@domain` (any one of the delimiter characters, as amavis and Postfix split). */
export function stripExtension(address: string, delimiter: string | undefined): string {
  const at = address.lastIndexOf('@');
  if (!delimiter || at <= 0) return address;
  const local = address.slice(0, at);
  const cut = [...delimiter].map((d) => local.indexOf(d)).filter((i) => i > 0);
  return cut.length ? `${local.slice(0, Math.min(...cut))}${address.slice(at)}` : address;
}
