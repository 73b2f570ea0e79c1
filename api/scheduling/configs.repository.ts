import type { Kysely } from 'kysely';
import type { AvailabilityConfig, Database } from '../../shared/db/schema.ts';
import { paginate, toPage } from '../http/pagination.ts';
import type { UpdateConfigBody } from './scheduling.schemas.ts';
import { formatLocalTime, parseLocalTime } from './slot-times.ts';

export function configValues(body: UpdateConfigBody, timezone: string) {
  return {
    interviewType: body.interviewType,
    weekday: body.weekday,
    startMinute: parseLocalTime(body.startTime)!,
    endMinute: parseLocalTime(body.endTime)!,
    slotMinutes: body.slotMinutes,
    breakMinutes: body.breakMinutes,
    capacity: body.capacity,
    validFrom: body.validFrom,
    validUntil: body.validUntil,
    timezone,
    settings: JSON.stringify(body.settings),
  };
}

export async function insertConfig(db: Kysely<Database>, companyId: string, values: ReturnType<typeof configValues>) {
  return db
    .insertInto('availabilityConfigs')
    .values({ companyId, ...values })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findConfig(db: Kysely<Database>, scope: string | null, id: string, lock = false) {
  let q = db.selectFrom('availabilityConfigs').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  return lock ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
}

export async function listConfigs(db: Kysely<Database>, scope: string | null, limit: number, cursor?: string) {
  let q = db.selectFrom('availabilityConfigs').selectAll();
  if (scope) q = q.where('companyId', '=', scope);
  return toPage(await paginate(q, 'availability_configs', cursor, limit).execute(), limit);
}

export async function configsOfCompany(db: Kysely<Database>, companyId: string) {
  return db.selectFrom('availabilityConfigs').selectAll().where('companyId', '=', companyId).execute();
}

export function configToApi(c: AvailabilityConfig) {
  return { ...c, startTime: formatLocalTime(c.startMinute), endTime: formatLocalTime(c.endMinute) };
}
