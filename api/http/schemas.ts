import { z } from 'zod';

export const idParams = z.object({ id: z.uuid().meta({ description: 'Resource id' }) });

/** Response timestamps: Date in, ISO-8601 string out; documented as a date-time string. */
export const isoTimestamp = z
  .union([z.date(), z.iso.datetime({ offset: true })])
  .transform((d) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString()))
  .meta({ type: 'string', format: 'date-time', override: { type: 'string', format: 'date-time' } });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().meta({ description: 'Opaque cursor from `nextCursor` of the previous page' }),
});

/** Admin keys name the company they act for; company keys may omit it (or repeat their own). */
export const companyIdField = z
  .uuid()
  .optional()
  .meta({ description: 'Required for admin keys; company keys act for their own company' });

export function page<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({ items: z.array(item), nextCursor: z.string().nullable() })
    .meta({ id, description: 'A page of results, newest first' });
}
