import Router from '@koa/router';
import Koa from 'koa';
import { sql } from 'kysely';
import { alternativeRoutes } from './alternatives/alternative.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { overviewRoutes } from './overview/overview.routes.ts';
import { hrAuthenticator } from './auth/authenticate.ts';
import { userRoutes } from './auth/users.routes.ts';
import { candidateRoutes } from './candidates/candidates.routes.ts';
import { codeEventRoutes } from './coding/code-events.routes.ts';
import { codeRerunRoutes } from './coding/code-reruns.routes.ts';
import { companyRoutes } from './companies/company.routes.ts';
import { dataRightsRoutes } from './data-rights/data-rights.routes.ts';
import type { AppDeps } from './deps.ts';
import { accessLog, problemHandler, requestId } from './http/middleware.ts';
import { buildOpenApiDocument, mountRoutes } from './http/route.ts';
import { mountHealth } from './ops/health.ts';
import { apiMetrics } from './ops/metrics.ts';
import { interviewRoutes } from './interviews/interviews.routes.ts';
import { invitationRoutes } from './interviews/invitation.routes.ts';
import { jobRoutes } from './jobs/jobs.routes.ts';
import { livekitWebhookRoutes } from './livekit/webhook.routes.ts';
import { planRoutes } from './plans/plans.routes.ts';
import { publicRoutes } from './public/public.routes.ts';
import { schedulingRoutes } from './scheduling/scheduling.routes.ts';
import { recordingRoutes } from './recordings/recordings.routes.ts';
import { resultRoutes } from './scoring/results.routes.ts';
import { withWebhookEvents } from './webhooks/openapi.ts';
import { webhookRoutes } from './webhooks/webhooks.routes.ts';
import { roomInfo } from './public/candidate-session.ts';
import { serveWebApp, webDist } from './web/static.ts';

export const apiVersion = '0.1.0';

// The return type is inferred, not declared: it carries every route's method, path and schemas to the typed test client.
export function allRoutes(deps: AppDeps) {
  return [
    ...companyRoutes(deps),
    ...jobRoutes(deps),
    ...candidateRoutes(deps),
    ...dataRightsRoutes(deps),
    ...interviewRoutes(deps),
    ...invitationRoutes(deps),
    ...planRoutes(deps),
    ...codeEventRoutes(deps),
    ...codeRerunRoutes(deps),
    ...resultRoutes(deps),
    ...recordingRoutes(deps),
    ...publicRoutes(deps),
    ...alternativeRoutes(deps),
    ...livekitWebhookRoutes(deps),
    ...webhookRoutes(deps),
    ...schedulingRoutes(deps),
    ...auditRoutes(deps),
    ...overviewRoutes(deps),
    ...authRoutes(deps),
    ...userRoutes(deps),
  ];
}

export function openApiDocument(deps: AppDeps) {
  return withWebhookEvents(buildOpenApiDocument(allRoutes(deps), { title: 'AI Interviewer API', version: apiVersion }));
}

export function createApp(deps: AppDeps, options: { inFlight?: Koa.Middleware } = {}): Koa {
  const app = new Koa({ proxy: deps.config.trustProxy });
  // Errors Koa meets after the response has started (a streamed body failing). A browser that cancels a range
  // request (an audio player seeking does it all the time) closes the stream early: that is no error of ours.
  app.on('error', (error: NodeJS.ErrnoException, ctx?: Koa.Context) => {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE' || error.code === 'ECONNRESET' || ctx?.req.destroyed) return;
    if ((error as { expose?: boolean }).expose) return;
    deps.log.error({ err: error, path: ctx?.path }, 'response failed');
  });
  const router = new Router();
  const routes = allRoutes(deps);
  const document = withWebhookEvents(buildOpenApiDocument(routes, { title: 'AI Interviewer API', version: apiVersion }));

  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  // Ready means the database answers; when it does not, the problem handler makes this a 503 service_unavailable.
  router.get('/healthz', async (ctx) => {
    await sql`select 1`.execute(deps.db);
    ctx.body = { ok: true };
  });
  // Which dependency is down (GET /health) and Prometheus metrics (GET /metrics): api/ops/.
  mountHealth(router, deps);
  const metrics = apiMetrics(deps);
  metrics.mount(router);
  mountRoutes(router, routes, { authenticate: hrAuthenticator(deps) });

  if (options.inFlight) app.use(options.inFlight);
  app.use(requestId());
  app.use(accessLog(deps.log));
  app.use(problemHandler(deps.log));
  app.use(metrics.middleware);
  // The join page arrives with its interview's company and role in it (counted like the room information call).
  app.use(serveWebApp(webDist, { preview: (ref, ip) => roomInfo(deps, ref, ip) }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
