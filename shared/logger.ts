import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may carry personal data or credentials. Phone numbers, tokens and secrets never reach a log line in
 * clear: pino replaces them before serialisation, so a careless `log.info({ body })` is still safe.
 */
export const redactedPaths = [
  'phone',
  '*.phone',
  '*.*.phone',
  'phoneE164',
  '*.phoneE164',
  '*.*.phoneE164',
  'token',
  '*.token',
  '*.*.token',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'signedLink',
  '*.signedLink',
  'link',
  '*.link',
];

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  if (options.name) config.name = options.name;
  // Standard output, written asynchronously: lines that arrive while a write is under way go out together in the
  // next one, so a busy API doesn't pay a write call per access-log line, and a quiet one still writes each line
  // at once. What is buffered is flushed when the process exits (lost only if it is killed outright).
  return pino(config, destination ?? pino.destination({ dest: 1, sync: false }));
}

export type { Logger };
