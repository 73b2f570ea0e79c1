import type { EndReason } from '../../shared/end-reasons.ts';
import type { AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { candidateEndReason } from '../interviews/candidate-end-reason.ts';
import type { InterviewStatus } from '../../shared/db/schema.ts';
import { candidateSessionStatus, endCandidateSession, joinInterview, roomInfo } from './candidate-session.ts';
import {
  codeParams,
  endSessionResponse,
  sessionStatusResponse,
  joinBody,
  joinResponseSchema,
  linkParams,
  roomInfoSchema,
} from './public.schemas.ts';

const tags = ['Candidate (public)'];

const candidateActor = (meta: RequestMeta): AuditActor => ({
  type: 'candidate',
  id: null,
  ip: meta.ip,
  userAgent: meta.userAgent,
});

const bearerOf = (header: string) => /^Bearer\s+(\S+)$/i.exec(header)?.[1];

/** The stored end reason is HR's vocabulary; the candidate gets the closed reason worded for them. */
const forCandidate = (session: { status: InterviewStatus; endReason: EndReason | null }) => ({
  status: session.status,
  endReason: candidateEndReason(session),
});

export function publicRoutes(deps: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/public/rooms/:code',
      operationId: 'getRoomByCode',
      summary: 'What the candidate sees before joining, by room code',
      tags,
      auth: 'public',
      params: codeParams,
      responses: { 200: { description: 'Room information', schema: roomInfoSchema } },
      handler: async ({ params, meta }) => ({
        status: 200,
        body: await roomInfo(deps, { kind: 'code', code: params.code }, meta.ip),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/public/links/:token',
      operationId: 'getRoomByLink',
      summary: 'What the candidate sees before joining, by signed link',
      tags,
      auth: 'public',
      params: linkParams,
      responses: { 200: { description: 'Room information', schema: roomInfoSchema } },
      handler: async ({ params, meta }) => ({
        status: 200,
        body: await roomInfo(deps, { kind: 'link', token: params.token }, meta.ip),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/rooms/:code/join',
      operationId: 'joinByCode',
      summary: 'Join with the room code, phone number and name; returns a LiveKit token for this room',
      tags,
      auth: 'public',
      params: codeParams,
      body: joinBody,
      responses: { 200: { description: 'Admitted', schema: joinResponseSchema } },
      handler: async ({ params, body, meta }) => ({
        status: 200,
        body: await joinInterview(deps, { kind: 'code', code: params.code }, body, candidateActor(meta)),
        headers: { 'Cache-Control': 'no-store' },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/links/:token/join',
      operationId: 'joinByLink',
      summary: 'Join with the signed link, phone number and name; returns a LiveKit token for this room',
      tags,
      auth: 'public',
      params: linkParams,
      body: joinBody,
      responses: { 200: { description: 'Admitted', schema: joinResponseSchema } },
      handler: async ({ params, body, meta }) => ({
        status: 200,
        body: await joinInterview(deps, { kind: 'link', token: params.token }, body, candidateActor(meta)),
        headers: { 'Cache-Control': 'no-store' },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/public/session',
      operationId: 'getSessionStatus',
      summary:
        "How the candidate's interview stands (status and end reason); authorised by the LiveKit token from the join",
      tags,
      auth: 'public',
      responses: { 200: { description: 'Status', schema: sessionStatusResponse } },
      handler: async ({ ctx }) => ({
        status: 200,
        body: forCandidate(await candidateSessionStatus(deps, bearerOf(ctx.get('authorization')))),
        headers: { 'Cache-Control': 'no-store' },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/session/end',
      operationId: 'endSession',
      summary: 'The candidate ends the interview; authorised by the LiveKit token from the join',
      tags,
      auth: 'public',
      responses: { 200: { description: 'Ended', schema: endSessionResponse } },
      handler: async ({ ctx, meta }) => {
        return {
          status: 200,
          body: forCandidate(await endCandidateSession(deps, bearerOf(ctx.get('authorization')), candidateActor(meta))),
        };
      },
    }),
  ];
}
