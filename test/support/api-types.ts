import type { z } from 'zod';
import type { allRoutes } from '../../api/app.ts';
import type { Problem, problemCodes } from '../../api/http/problem.ts';

// What the test client knows of the API, read off the route definitions themselves (the same ones that validate
// requests and produce the OpenAPI document): a method and a path give the operation, and the operation gives one
// result per status it declares, plus a problem for every error status.

type AppRoute = ReturnType<typeof allRoutes>[number];

/** The statuses of the closed set of problems (api/http/problem.ts); a route declares only success statuses. */
export type ProblemStatus = (typeof problemCodes)[keyof typeof problemCodes]['status'];

type Segments<S extends string> = S extends `${infer Head}/${infer Tail}` ? [Head, ...Segments<Tail>] : [S];
type WithoutQuery<P extends string> = P extends `${infer Path}?${string}` ? Path : P;
type PatternSegment<S extends string> = S extends `:${string}` ? string : S;
type SegmentsMatch<Actual extends string[], Pattern extends string[]> = Actual extends [
  infer A extends string,
  ...infer ARest extends string[],
]
  ? Pattern extends [infer P extends string, ...infer PRest extends string[]]
    ? A extends PatternSegment<P>
      ? SegmentsMatch<ARest, PRest>
      : false
    : false
  : Pattern extends []
    ? true
    : false;

/**
 * True when a request path (a literal, or a template such as `/v1/jobs/${string}` from `/v1/jobs/${id}`) fits a route
 * pattern such as `/v1/jobs/:id`, segment by segment; a query string is ignored.
 */
export type PathMatches<Path extends string, Pattern extends string> = SegmentsMatch<
  Segments<WithoutQuery<Path>>,
  Segments<Pattern>
>;

/** The route (or, rarely, routes) that serve a method and a path; `never` when none does. */
export type RouteFor<Method extends string, Path extends string> = AppRoute extends infer R
  ? R extends { method: Lowercase<Method>; path: infer Pattern extends string }
    ? PathMatches<Path, Pattern> extends true
      ? R
      : never
    : never
  : never;

type DeclaredResult<Responses> = {
  [S in keyof Responses & number]: {
    status: S;
    headers: Headers;
    // What arrives is the output of the response schema (timestamps are ISO strings by then), as JSON.
    body: Responses[S] extends { schema: infer T extends z.ZodType } ? z.output<T> : undefined;
  };
}[keyof Responses & number];

export interface ProblemResult {
  status: ProblemStatus;
  headers: Headers;
  body: Problem;
}

/** Every answer an operation can give: one of its declared results, or a problem. Narrow it with `expectStatus`. */
export type OperationResult<R> = R extends { responses: infer Responses }
  ? DeclaredResult<Responses> | ProblemResult
  : never;

/**
 * A path no route serves, or one only known as a string at run time: an error status still carries a problem (every
 * error of this app is one), anything else is untyped: the OpenAPI document, the web app, a redirect.
 */
export type UntypedResult =
  ProblemResult | { status: 200 | 201 | 202 | 204 | 301 | 302 | 303 | 304 | 307 | 308; headers: Headers; body: any };

/** The success body of an operation, for annotations: `OkBody<'GET', '/v1/interviews/:id'>`. */
export type OkBody<Method extends string, Path extends string> = Exclude<
  OperationResult<RouteFor<Method, Path>>,
  ProblemResult
>['body'];
