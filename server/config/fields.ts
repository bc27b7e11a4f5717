import { z } from 'zod';

// The building blocks of the one config schema. Every message names its variable, because the
// problems are listed together at startup and each must say which setting to fix.

/** Parsed settings of one part of the schema: the output type of its fields. */
export type EnvOf<Fields extends z.ZodRawShape> = z.output<z.ZodObject<Fields>>;

/** Splits a comma-separated list, dropping blanks. */
export const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** A true/false setting with a default. */
export const bool = (name: string, fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got "${v}"` });
      return z.NEVER;
    });

/** A TCP port number. */
export const port = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a port number`)
    .transform(Number)
    .refine((n) => n > 0 && n < 65536, `${name} must be between 1 and 65535`);

/** A whole number above 0. */
export const positiveInt = (name: string) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n > 0, `${name} must be above 0`);

/** A whole number of milliseconds (0 allowed). */
export const milliseconds = () => z.string().regex(/^\d+$/).transform(Number);

export const EMAIL = /^[^\s@,]+@[^\s@,]+$/;
export const email = z.string().regex(EMAIL, 'must be an e-mail address');
export const DOMAIN = /^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** A database URL: MySQL/MariaDB, or SQLite for the demo. */
export const dbUrl = (name: string) =>
  z.string().refine((v) => /^(mysql|mariadb|postgres|postgresql):\/\/[^/]+\/[^/?]+/.test(v) || /^sqlite:.+/.test(v), {
    message: `${name} must look like mysql://user:password@host:3306/amavis or postgres://user:password@host:5432/amavis (or sqlite:<path> for the demo)`,
  });

/**
 * A setting read by a parser that returns the value or a problem (so the parser is testable on its own).
 * An unset optional setting is parsed as ''.
 */
export function parsedBy<T>(parse: (raw: string) => T | string) {
  return (raw: string | undefined, ctx: z.RefinementCtx): T => {
    const parsed = parse(raw ?? '');
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  };
}
