import { z } from 'zod';
import { companyIdField, isoTimestamp, page } from '../http/schemas.ts';

export const regionCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as AE')
  .meta({ example: 'AE' });

const name = z.string().trim().min(1).max(100);

/** The longest résumé text a candidate keeps (about 30 pages); POST /v1/candidates/resume-text cuts there. */
export const resumeTextMaxLength = 100_000;
const phoneInput = z
  .string()
  .trim()
  .min(3)
  .max(32)
  .meta({ description: 'Any common format; stored in E.164', example: '+971 50 123 4567' });

export const createCandidateBody = z
  .object({
    companyId: companyIdField,
    firstName: name,
    lastName: name,
    email: z.email().max(254).nullable().optional(),
    phone: phoneInput,
    phoneRegion: regionCode.optional().meta({ description: "Region for numbers without +; default the company's" }),
    resumeText: z.string().max(resumeTextMaxLength).nullable().optional(),
  })
  .strict()
  .meta({ id: 'CreateCandidate' });

export const updateCandidateBody = z
  .object({
    firstName: name,
    lastName: name,
    email: z.email().max(254).nullable(),
    phone: phoneInput,
    phoneRegion: regionCode,
    resumeText: z.string().max(resumeTextMaxLength).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).some((k) => k !== 'phoneRegion'), 'send at least one field to change')
  .meta({ id: 'UpdateCandidate' });

export const candidateSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string().nullable(),
    phone: z.string().meta({ description: 'E.164' }),
    resumeText: z.string().nullable(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
    erasedAt: isoTimestamp.nullable().meta({
      description: 'When their personal data was erased (GET /v1/candidates/{id}/erasure); null while it is kept',
    }),
  })
  .meta({ id: 'Candidate' });

export const candidatePage = page(candidateSchema, 'CandidatePage');

export type CreateCandidateBody = z.infer<typeof createCandidateBody>;
export type UpdateCandidateBody = z.infer<typeof updateCandidateBody>;
