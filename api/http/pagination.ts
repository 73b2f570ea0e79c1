import type { SelectQueryBuilder } from 'kysely';
import { sql } from 'kysely';
import { AppError } from './problem.ts';

interface Keyset {
  createdAt: string;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Keyset {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt))) throw new Error();
    return { createdAt, id };
  } catch {
    throw new AppError('validation_failed', 'The cursor is not one this API issued.', {
      errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
    });
  }
}

/**
 * Keyset pagination, newest first. Offsets would skip or repeat rows while HR creates records between pages.
 * `useIndexOrder: false` writes the same order so that no index can provide it: when another index narrows the rows
 * to a few, sorting those beats walking the newest-first index past every row a filter drops.
 */
export function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  table: string,
  cursor: string | undefined,
  limit: number,
  options: { useIndexOrder?: boolean } = {},
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  if (cursor) {
    const key = decodeCursor(cursor);
    q = q.where(
      sql<boolean>`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)}) < (${key.createdAt}::timestamptz, ${key.id}::uuid)`,
    );
  }
  if (options.useIndexOrder === false) {
    // A row value sorts like its columns, but no index on the columns matches the expression.
    return q.orderBy(sql`(${sql.ref(`${table}.created_at`)}, ${sql.ref(`${table}.id`)})`, 'desc').limit(limit + 1);
  }
  return q
    .orderBy(sql.ref(`${table}.created_at`), 'desc')
    .orderBy(sql.ref(`${table}.id`), 'desc')
    .limit(limit + 1);
}

export function toPage<T extends { createdAt: Date; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
