import { z } from 'zod';

/** The closed set of failures the API reports; each maps to one status and one title. */
export const problemCodes = {
  validation_failed: { status: 400, title: 'Request is not valid' },
  invalid_token: { status: 400, title: 'The link is invalid, used or expired' },
  unauthorized: { status: 401, title: 'Not signed in, or missing or invalid API key' },
  invalid_credentials: { status: 401, title: 'E-mail or password is wrong' },
  forbidden: { status: 403, title: 'Not allowed' },
  csrf_failed: { status: 403, title: 'Missing or wrong CSRF token' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  invalid_state: { status: 409, title: 'Not possible in the current state' },
  already_connected: { status: 409, title: 'Candidate is already connected' },
  not_open_yet: { status: 409, title: 'The interview window is not open yet' },
  too_late_to_change: { status: 409, title: 'Too close to the start to change it here' },
  reschedule_limit: { status: 409, title: 'No more reschedules are allowed here' },
  payload_too_large: { status: 413, title: 'Request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unreadable_document: { status: 422, title: 'The document could not be read' },
  rate_limited: { status: 429, title: 'Too many requests' },
  // A service we call (LiveKit, the language model) failed; service_unavailable is our own database being out of reach.
  upstream_unavailable: { status: 503, title: 'A required service is unavailable' },
  service_unavailable: { status: 503, title: 'Service temporarily unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ProblemCode = keyof typeof problemCodes;

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    opensAt: z.iso.datetime().optional(),
    retryAfterSeconds: z.number().int().optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;

export class AppError extends Error {
  readonly code: ProblemCode;
  readonly status: number;
  readonly extra: Partial<Problem>;
  readonly headers: Record<string, string>;

  constructor(code: ProblemCode, detail?: string, extra: Partial<Problem> = {}, headers: Record<string, string> = {}) {
    super(detail ?? problemCodes[code].title);
    this.name = 'AppError';
    this.code = code;
    this.status = problemCodes[code].status;
    this.extra = extra;
    this.headers = headers;
  }

  toProblem(instance?: string): Problem {
    const problem: Problem = {
      type: `https://docs.ai-interviewer.dev/problems/${this.code}`,
      title: problemCodes[this.code].title,
      status: this.status,
      code: this.code,
      detail: this.message,
      ...this.extra,
    };
    if (instance) problem.instance = instance;
    return problem;
  }
}

export function validationError(error: z.ZodError, where: 'body' | 'query' | 'params'): AppError {
  return new AppError('validation_failed', `The request ${where} has ${error.issues.length} problem(s).`, {
    errors: error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  });
}
