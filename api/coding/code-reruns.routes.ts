import { z } from 'zod';
import { testResultSchema } from '../../shared/coding/coding.schema.ts';
import { companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { findInterview } from '../interviews/interviews.repository.ts';
import { disagreements, listCodeReruns } from './server-rerun.ts';

// The server's own runs of the candidate's code, for the reviewer: beside each of the candidate's runs, what the
// browser reported and the test names where the two disagree.

const codeReruns = z
  .object({
    interviewId: z.uuid(),
    items: z.array(
      z.object({
        questionId: z.string(),
        kind: z.enum(['final', 'run']).meta({ description: 'final: every test, hidden ones too; run: a run the candidate made, visible tests' }),
        seq: z.number().int().meta({ description: 'The code event the code was taken at; -1 when nothing was written' }),
        code: z.string(),
        results: z.array(testResultSchema).nullable().meta({ description: "The server's results; null when not run" }),
        browserResults: z.array(testResultSchema).nullable(),
        disagreements: z.array(z.string()).meta({ description: 'Tests the browser reported differently' }),
        error: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'CodeReruns' });

export function codeRerunRoutes(deps: AppDeps) {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/code-reruns',
      operationId: 'listCodeReruns',
      summary: "The server's re-runs of the candidate's code after the interview",
      tags: ['Coding'],
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'Re-runs, by question and event order', schema: codeReruns } },
      handler: async ({ params, principal }) => {
        const interview = await findInterview(db, companyScope(principal), params.id);
        if (!interview) throw new AppError('not_found', 'No such interview.');
        const items = (await listCodeReruns(db, interview.id)).map((r) => ({ ...r, disagreements: disagreements(r) }));
        return { status: 200, body: { interviewId: interview.id, items } };
      },
    }),
  ];
}
