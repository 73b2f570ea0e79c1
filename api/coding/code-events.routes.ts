import { z } from 'zod';
import { codeEventSchema } from '../../shared/coding/coding.schema.ts';
import { companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams, isoTimestamp } from '../http/schemas.ts';
import { findInterview } from '../interviews/interviews.repository.ts';
import { listCodeEvents } from './code-events.repository.ts';

// The candidate's editor events for the reviewer's replay: every change, snapshot, run, paste and focus change, in
// the editor's order. Integrity events are facts to show, never a score.

const codeEventPage = z
  .object({
    interviewId: z.uuid(),
    items: z.array(
      z.object({
        seq: z.number().int(),
        questionId: z.string(),
        receivedAt: isoTimestamp.meta({
          description: "When the interviewer received it (the event's own `at` is the editor's clock)",
        }),
        event: codeEventSchema,
      }),
    ),
    nextAfterSeq: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Pass as `afterSeq` for the next page; null on the last page' }),
  })
  .meta({ id: 'CodeEventPage' });

export function codeEventRoutes(deps: AppDeps) {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/code-events',
      operationId: 'listCodeEvents',
      summary: "The candidate's code editor events, in order, for the replay (paged by sequence number)",
      tags: ['Coding'],
      auth: 'hr',
      params: idParams,
      query: z.object({
        afterSeq: z.coerce
          .number()
          .int()
          .min(-1)
          .default(-1)
          .meta({ description: 'Events after this sequence number' }),
        limit: z.coerce.number().int().min(1).max(1000).default(500),
      }),
      responses: { 200: { description: 'A page of events', schema: codeEventPage } },
      handler: async ({ params, query, principal }) => {
        const interview = await findInterview(db, companyScope(principal), params.id);
        if (!interview) throw new AppError('not_found', 'No such interview.');
        // One more than asked tells whether there is a next page without a count.
        const rows = await listCodeEvents(db, interview.id, query.afterSeq, query.limit + 1);
        const items = rows.slice(0, query.limit);
        return {
          status: 200,
          body: {
            interviewId: interview.id,
            items,
            nextAfterSeq: rows.length > query.limit ? items.at(-1)!.seq : null,
          },
        };
      },
    }),
  ];
}
