import { ConfigError, loadConfig } from '../config';

/**
 * The config tests' scaffolding: the four settings without which nothing starts, and the problems a
 * configuration is refused with. Tests spread VALID_ENV and change what they test.
 */
export const VALID_ENV: Readonly<Record<string, string>> = {
  AQ_DB_URL: 'mysql://amavis:pw@127.0.0.1:3306/amavis',
  AQ_IMAP_HOST: 'mail.example.test',
  AQ_PDP: 'tcp://127.0.0.1:9998',
  AQ_SESSION_SECRET: 'x'.repeat(32),
};

/** The problems loadConfig() lists for this environment; [] when it is accepted. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
