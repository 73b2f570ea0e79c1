import { z } from 'zod';
import { isoTimestamp } from '../http/schemas.ts';
import { newPasswordSchema } from './passwords.ts';

export const roles = ['admin', 'recruiter', 'reviewer'] as const;
export const userStatuses = ['active', 'invited', 'disabled'] as const;

const email = z.email().max(320);

export const sessionSchema = z
  .object({
    user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: z.enum(roles) }),
    company: z.object({
      id: z.uuid(),
      name: z.string(),
      timezone: z.string().meta({ description: "The company's time zone, which the workspace shows dates in" }),
    }),
    csrfToken: z.string().meta({ description: 'Send as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE' }),
  })
  .meta({ id: 'Session' });

export const loginBody = z
  .object({ email, password: z.string().min(1).max(1024) })
  .strict()
  .meta({ id: 'Login' });

export const passwordResetBody = z.object({ email }).strict().meta({ id: 'PasswordResetRequest' });

const linkToken = z.string().min(1).max(200).meta({ description: 'The token from the e-mailed link' });

export const passwordResetCompleteBody = z
  .object({ token: linkToken, password: newPasswordSchema })
  .strict()
  .meta({ id: 'PasswordResetCompletion' });

export const acceptInvitationBody = z
  .object({ token: linkToken, name: z.string().trim().min(1).max(200), password: newPasswordSchema })
  .strict()
  .meta({ id: 'InvitationAcceptance' });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    status: z.enum(userStatuses),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'User' });

export const userListSchema = z.object({ items: z.array(userSchema) }).meta({ id: 'UserList' });

export const invitationBody = z
  .object({ email, name: z.string().trim().max(200).optional(), role: z.enum(roles) })
  .strict()
  .meta({ id: 'UserInvitation' });

export const updateUserBody = z
  .object({ role: z.enum(roles), disabled: z.boolean() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdateUser' });
