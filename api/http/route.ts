import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { roleAllows, type Access, type Principal } from '../auth/principal.ts';
import { readJsonBody } from './body.ts';
import { AppError, problemSchema, validationError } from './problem.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject;
type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface RequestMeta {
  ip: string;
  userAgent: string | null;
  requestId: string;
}

export interface RouteInput<P, Q, B, A> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  principal: A;
  meta: RequestMeta;
  ctx: Context;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

type Responses = Record<number, ResponseSpec>;

/**
 * What a handler may answer: one of the statuses its route declares, with a body that status's schema accepts.
 * `z.input`, because the body is parsed through the schema on the way out (a Date becomes an ISO string there).
 * A status declared without a schema (204) carries no body.
 */
export type RouteResultFor<R extends Responses> = {
  [S in keyof R & number]: R[S] extends { schema: infer T extends z.ZodType }
    ? { status: S; body: z.input<T>; headers?: Record<string, string> }
    : { status: S; body?: undefined; headers?: Record<string, string> };
}[keyof R & number];

/**
 * One HTTP operation: the zod schemas here validate the request, shape the response and produce the OpenAPI
 * document, so the three can never drift apart. The handler is typed from them: its params, query and body are what
 * the request schemas produce, and it can only answer a declared status with a body that status's schema accepts.
 */
// An HR route gets the caller's principal; a public or raw one gets none.
type PrincipalFor<Auth> = Auth extends 'hr' ? Principal : undefined;

export interface RouteDef<
  M extends Method,
  Path extends string,
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends z.ZodType | undefined,
  Auth extends 'hr' | 'public' | 'raw',
  R extends Responses,
> {
  method: M;
  path: Path;
  operationId: string;
  summary: string;
  /** Longer documentation for the OpenAPI document (CommonMark), beyond the one-line summary. */
  description?: string;
  tags: string[];
  auth: Auth;
  /** What an HR route needs of the caller's role; a GET defaults to `read`, anything else to `recruit`. */
  access?: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** A file upload: the handler reads the raw body itself (`readRawBytes`); these are the media types it takes. */
  upload?: { mediaTypes: readonly string[]; maxBytes: number };
  responses: R;
  // NoInfer: R comes from `responses` alone; inferring it from what the handler returns would widen 201 to number.
  handler: (input: RouteInput<P, Q, B, PrincipalFor<Auth>>) => Promise<RouteResultFor<NoInfer<R>>>;
}

/** Any route, its types erased: what `mountRoutes` and `buildOpenApiDocument` take. */
export interface AnyRoute {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  description?: string | undefined;
  tags: string[];
  auth: 'hr' | 'public' | 'raw';
  access?: Access | undefined;
  params?: AnyObject | undefined;
  query?: AnyObject | undefined;
  body?: z.ZodType | undefined;
  upload?: { mediaTypes: readonly string[]; maxBytes: number } | undefined;
  responses: Responses;
  // `any`: a handler typed for its own params is called with what mountRoutes parsed from its own schemas.
  handler: (input: RouteInput<any, any, any, any>) => Promise<RouteResult>;
}

export function defineRoute<
  M extends Method,
  Path extends string,
  R extends Responses,
  P extends AnyObject | undefined = undefined,
  Q extends AnyObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  Auth extends 'hr' | 'public' | 'raw' = 'hr',
>(def: RouteDef<M, Path, P, Q, B, Auth, R>): RouteDef<M, Path, P, Q, B, Auth, R> {
  return def;
}

export function requestMeta(ctx: Context): RequestMeta {
  return {
    ip: ctx.ip,
    userAgent: ctx.get('user-agent') || null,
    requestId: String(ctx.state.requestId ?? ''),
  };
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'body' | 'query' | 'params') {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

/** The access an HR route needs: what it declares, else read for a GET and recruit for a change. */
export function routeAccess(route: Pick<AnyRoute, 'method' | 'access'>): Access {
  return route.access ?? (route.method === 'get' ? 'read' : 'recruit');
}

export interface MountOptions {
  authenticate: (ctx: Context) => Promise<Principal>;
}

export function mountRoutes(router: Router, routes: readonly AnyRoute[], options: MountOptions): void {
  for (const route of routes) {
    router[route.method](route.operationId, route.path, async (ctx: Context) => {
      const principal = route.auth === 'hr' ? await options.authenticate(ctx) : undefined;
      // Checked before anything is parsed or looked up: a role without the access learns nothing more than 403.
      if (principal && !roleAllows(principal.role, routeAccess(route))) {
        throw new AppError('forbidden', `The ${principal.role} role cannot do this (it needs ${routeAccess(route)} access).`);
      }
      const params = parsePart(route.params, ctx.params, 'params');
      const query = parsePart(route.query, ctx.query, 'query');
      let body: unknown;
      if (route.auth !== 'raw' && !route.upload && route.method !== 'get' && route.method !== 'delete') {
        const raw = await readJsonBody(ctx);
        if (route.body) body = parsePart(route.body, raw ?? {}, 'body');
      }
      const result = await route.handler({
        params,
        query,
        body,
        principal,
        meta: requestMeta(ctx),
        ctx,
      });
      const spec = route.responses[result.status];
      if (!spec) throw new Error(`${route.operationId} answered ${result.status}, which its definition does not list`);
      for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
      ctx.status = result.status;
      // Parsing the output strips any field the schema does not declare, so nothing unlisted can leak out.
      if (spec.schema) ctx.body = spec.schema.parse(result.body);
      else if (result.body !== undefined) ctx.body = result.body;
    });
  }
}

const problemResponse = { description: 'Problem details', content: { 'application/problem+json': { schema: problemSchema } } };

export function buildOpenApiDocument(routes: readonly AnyRoute[], info: { title: string; version: string }) {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const openApiPath = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, ZodOpenApiResponseObject> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = spec.schema
        ? { description: spec.description, content: { 'application/json': { schema: spec.schema } } }
        : { description: spec.description };
    }
    responses['4XX'] = problemResponse;
    responses['5XX'] = problemResponse;
    const operation: ZodOpenApiOperationObject = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags,
      responses,
    };
    if (route.params || route.query) {
      operation.requestParams = {};
      if (route.params) operation.requestParams.path = route.params;
      if (route.query) operation.requestParams.query = route.query;
    }
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    }
    if (route.upload) {
      const file = z.string().meta({ format: 'binary', description: `At most ${route.upload.maxBytes} bytes` });
      operation.requestBody = {
        required: true,
        content: Object.fromEntries(route.upload.mediaTypes.map((type) => [type, { schema: file }])),
      };
    }
    if (route.auth === 'hr') operation.security = [{ bearerAuth: [] }, { sessionCookie: [] }];
    paths[openApiPath] = { ...paths[openApiPath], [route.method]: operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Control API of the AI voice interviewer. HR endpoints take `Authorization: Bearer <api key>` or a signed-in ' +
        'workspace session (cookie `hr_session` plus `X-CSRF-Token` on changes); ' +
        'public candidate endpoints need no login. Errors are `application/problem+json`.',
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'API key issued per company' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'hr_session',
          description:
            'HR workspace session from POST /v1/auth/login; POST, PUT, PATCH and DELETE must also send its csrfToken as X-CSRF-Token',
        },
      },
    },
    paths,
  });
}

export { AppError };
