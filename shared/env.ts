import { z } from 'zod';

/** Thrown when the environment does not satisfy a config schema; the message names every bad variable. */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Parses an environment once against a zod object schema.
 * Each issue is reported with the variable it concerns so an operator can fix it without reading code.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // An empty variable means "unset": compose files and shells often export blanks.
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const received = cleaned[String(issue.path[0])];
      return received === undefined && issue.code === 'invalid_type'
        ? `${name} is required`
        : `${name}: ${issue.message}`;
    }),
  );
}

/** Loads a config at process start; prints the problems and exits non-zero instead of starting half-configured. */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const portFromEnv = z.coerce.number().int().min(0).max(65535);
