import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config';
import { createContext, type AppContext } from '../context';
import { createLogger } from '../logger';

/**
 * What the command-line tools that need the whole server (`npm run cleanup`, `digest`, `doctor`) share:
 * where they write, the configuration read as the server reads it, the context, and running as the
 * entry point. `npm run migrate` only needs AQ_DB_URL and shares just the output and the entry point.
 */

/** Where the CLI writes: the process's stdout and stderr, or a test's buffers. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export const consoleOutput: CliOutput = { out: (text) => console.log(text), err: (text) => console.error(text) };

/** A bad command line: the problem and the usage on stderr; returns exit code 2. */
export function usageError(output: CliOutput, tool: string, problem: string, usage: string): number {
  output.err(`amavis-quarantine ${tool}: ${problem}\n${usage}`);
  return 2;
}

/** The configuration, or undefined (exit code 2) once every problem has been reported: as JSON on stdout with `json`. */
export function loadCliConfig(env: NodeJS.ProcessEnv, output: CliOutput, json: boolean): Readonly<Config> | undefined {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (json) output.out(JSON.stringify({ ok: false, configProblems: err.problems }, null, 2));
    else output.err(`${err.message}\n\nFix the configuration first (README.md, "Configuration").`);
    return undefined;
  }
}

/** Runs `work` with the server's context (its log at `logLevel`), and closes every connection afterwards, whatever happened. */
export async function withCliContext<T>(config: Readonly<Config>, logLevel: string, work: (context: AppContext) => Promise<T>): Promise<T> {
  const context = createContext(config, createLogger(logLevel));
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

const realPath = (file: string): string => {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file); // a directory on the way that this user may not list (the doctor run as amavis's user)
  }
};

/**
 * Runs `main` with the command line and exits with its code, but only when `moduleUrl` is the process's
 * entry point (`npm run …`, cron): a test that imports main() calls it itself.
 */
export function runAsEntryPoint(moduleUrl: string, tool: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || realPath(process.argv[1]) !== realPath(fileURLToPath(moduleUrl))) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`amavis-quarantine ${tool}: unexpected error:`, err);
      process.exit(1);
    },
  );
}
