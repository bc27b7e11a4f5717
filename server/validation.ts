import type { z } from 'zod';
import { AppError } from './errors';

/** Parses request input with a zod schema, or fails with 400 validation_failed naming each problem. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  throw new AppError(400, 'validation_failed', problems.join('; '), { problems });
}
