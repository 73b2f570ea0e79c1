import { z } from 'zod';
import { emailStatuses } from '../../shared/db/schema.ts';
import { companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { paginate, toPage } from '../http/pagination.ts';
import { defineRoute } from '../http/route.ts';
import { isoTimestamp, page } from '../http/schemas.ts';

const emailMessageSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    interviewId: z.uuid().nullable(),
    bookingId: z.uuid().nullable(),
    kind: z.string(),
    toAddress: z.string(),
    replyTo: z.string().nullable(),
    subject: z.string(),
    textBody: z.string(),
    htmlBody: z.string(),
    ics: z.string().nullable(),
    status: z.enum(emailStatuses),
    attempts: z.number().int(),
    sendAt: isoTimestamp,
    sentAt: isoTimestamp.nullable(),
    lastError: z.string().nullable(),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'EmailMessage' });

export function emailRoutes({ db }: AppDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/email/messages',
      operationId: 'listEmailMessages',
      summary:
        'E-mails the API sent or will send, newest first. Without SMTP_URL they are kept here (status `local`): the local outbox.',
      tags: ['E-mail'],
      auth: 'hr',
      access: 'recruit',
      query: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
        status: z.enum(emailStatuses).optional(),
        interviewId: z.uuid().optional(),
      }),
      responses: { 200: { description: 'A page of messages', schema: page(emailMessageSchema, 'EmailMessagePage') } },
      handler: async ({ query, principal }) => {
        const scope = companyScope(principal);
        let q = db.selectFrom('emailMessages').selectAll();
        if (scope) q = q.where('companyId', '=', scope);
        // Account e-mails carry sign-in links (password resets, invitations): only admins may read them, or a
        // recruiter could ask for an admin's reset and take the account from the outbox.
        if (principal.role !== 'admin') q = q.where('kind', 'not like', 'account.%');
        if (query.status) q = q.where('status', '=', query.status);
        if (query.interviewId) q = q.where('interviewId', '=', query.interviewId);
        return {
          status: 200,
          body: toPage(await paginate(q, 'email_messages', query.cursor, query.limit).execute(), query.limit),
        };
      },
    }),
  ];
}
