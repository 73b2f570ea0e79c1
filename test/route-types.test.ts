import type { Server } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { problemHandler, requestId } from '../api/http/middleware.ts';
import { AppError } from '../api/http/problem.ts';
import { defineRoute, mountRoutes } from '../api/http/route.ts';
import { idParams, isoTimestamp } from '../api/http/schemas.ts';
import { createLogger } from '../shared/logger.ts';

// A handler is typed from its route: these definitions are checked by `tsc` (the @ts-expect-error lines must stay
// errors) and served by the real mountRoutes, whose response parse still guards what the compiler cannot see.

const item = z.object({ id: z.uuid(), at: isoTimestamp });
const responses = { 200: { description: 'The item', schema: item }, 204: { description: 'Nothing' } };
const common = { method: 'get' as const, tags: [], auth: 'public' as const, params: idParams, responses };

const routes = [
  defineRoute({
    ...common,
    path: '/items/:id',
    operationId: 'getItem',
    summary: 'An item',
    query: z.object({ extra: z.enum(['yes']).optional() }),
    handler: async ({ params, query, principal }) => {
      // The request parts are what the schemas produce; a public route has no principal.
      const id: string = params.id;
      const none: undefined = principal;
      void none;
      // Extra fields are not a type error in TypeScript: the response parse strips them.
      if (query.extra) return { status: 200, body: { id, at: new Date(0), secret: 'never sent' } };
      return { status: 200, body: { id, at: new Date(0) } };
    },
  }),
  defineRoute({
    ...common,
    path: '/wrong-status/:id',
    operationId: 'wrongStatus',
    summary: 'Answers a status it does not declare',
    // @ts-expect-error 201 is not a status this route declares
    handler: async ({ params }) => ({ status: 201, body: { id: params.id, at: new Date(0) } }),
  }),
  defineRoute({
    ...common,
    path: '/wrong-body/:id',
    operationId: 'wrongBody',
    summary: 'Answers a body its schema refuses',
    // @ts-expect-error `at` must be a Date or an ISO string, as the response schema takes it
    handler: async ({ params }) => ({ status: 200, body: { id: params.id, at: 42 } }),
  }),
  defineRoute({
    ...common,
    path: '/body-on-204/:id',
    operationId: 'bodyOn204',
    summary: 'Answers 204 with a body',
    // @ts-expect-error a 204 carries no body
    handler: async ({ params }) => ({ status: 204, body: { id: params.id } }),
  }),
];

let server: Server;
let base: string;

beforeAll(async () => {
  const app = new Koa();
  const router = new Router();
  mountRoutes(router, routes, {
    authenticate: async () => {
      throw new AppError('unauthorized');
    },
  });
  app.use(requestId());
  app.use(problemHandler(createLogger({ level: 'silent' })));
  app.use(router.routes());
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

const id = '3f2b8a1e-5c4d-4e6f-8a9b-0c1d2e3f4a5b';

describe('routes typed from their schemas', () => {
  it('answers a declared status with the body its schema shapes', async () => {
    const r = await fetch(`${base}/items/${id}`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ id, at: '1970-01-01T00:00:00.000Z' });
  });

  it('strips a field the schema does not declare', async () => {
    const r = await fetch(`${base}/items/${id}?extra=yes`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ id, at: '1970-01-01T00:00:00.000Z' });
  });

  it('answers 500, never the undeclared answer, when a handler gets past the compiler', async () => {
    for (const wrong of ['wrong-status', 'wrong-body']) {
      const r = await fetch(`${base}/${wrong}/${id}`);
      expect(r.status, wrong).toBe(500);
      expect(await r.json()).toMatchObject({ code: 'internal' });
    }
  });
});
