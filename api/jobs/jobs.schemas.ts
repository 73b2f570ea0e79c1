import { z } from 'zod';
import { codingLanguageSchema } from '../../shared/coding/coding.schema.ts';
import { companyIdField, isoTimestamp, page } from '../http/schemas.ts';

export const languageCode = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language code such as en, ar or en-GB')
  .meta({ example: 'en' });

export const competencySchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower_snake_case, starting with a letter')
      .meta({ example: 'system_design' }),
    name: z.string().trim().min(1).max(120),
    description: z.string().trim().max(2000).default(''),
  })
  .meta({ id: 'Competency' });

// A closed list: the plan, the candidate's editor and the sandboxes key on it; anything else ("Klingon++") is
// refused with the list of languages there are.
const codingLanguage = codingLanguageSchema.nullable().meta({ description: 'The language of coding questions; null for none' });

const codingVoiceOnly = z.boolean().meta({
  description:
    'Coding interviews: a candidate on a screen too small for the editor (a phone) may take the voice part alone. ' +
    'Off (the default): the page asks them to rejoin from a computer or tablet',
});

const competencies = z
  .array(competencySchema)
  .max(30)
  .refine((list) => new Set(list.map((c) => c.key)).size === list.length, 'competency keys must be unique');

export const createJobBody = z
  .object({
    companyId: companyIdField,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(20_000),
    language: languageCode.optional().meta({ description: "Default: the company's default language" }),
    codingLanguage: codingLanguage.optional(),
    codingVoiceOnly: codingVoiceOnly.optional(),
    competencies: competencies.default([]),
  })
  .strict()
  .meta({ id: 'CreateJob' });

export const updateJobBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().min(1).max(20_000),
    language: languageCode,
    codingLanguage,
    codingVoiceOnly,
    competencies,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdateJob' });

export const jobSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    title: z.string(),
    description: z.string(),
    language: z.string(),
    codingLanguage: codingLanguageSchema.nullable(),
    codingVoiceOnly,
    competencies: z.array(competencySchema),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'Job' });

export const jobPage = page(jobSchema, 'JobPage');

export type CreateJobBody = z.infer<typeof createJobBody>;
export type UpdateJobBody = z.infer<typeof updateJobBody>;
