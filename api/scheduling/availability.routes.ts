import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AvailabilityConfig, Database } from '../../shared/db/schema.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { companyScope, type Principal } from '../auth/principal.ts';
import { owningCompany } from '../companies/owning-company.ts';
import type { AppDeps } from '../deps.ts';
import { paginate, toPage } from '../http/pagination.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { idParams, pageQuery } from '../http/schemas.ts';
import { requireInterviewVoice } from '../interviews/interview-voice.ts';
import { configToApi, configValues, findConfig, insertConfig, listConfigs } from './configs.repository.ts';
import {
  blockPage,
  blockSchema,
  blockWithReport,
  calendarQuery,
  calendarSchema,
  companyQuery,
  configPage,
  configSchema,
  configWithReport,
  createBlockBody,
  createConfigBody,
  createSlotBody,
  generateBody,
  generationReportSchema,
  searchSlotsQuery,
  settingsBody,
  settingsSchema,
  slotPage,
  slotSchema,
  updateConfigBody,
} from './scheduling.schemas.ts';
import { regenerateCompany } from './maintenance.ts';
import { schedulingSettings, upsertSchedulingSettings } from './settings.repository.ts';
import { localDateRange } from './slot-times.ts';
import {
  applyBlocks,
  calendar,
  detectOverlaps,
  findSlot,
  generateSlots,
  reconcileConfigSlots,
  recordBookingConflicts,
  releaseUnblockedSlots,
  searchSlots,
  slotToApi,
  type GenerationReport,
} from './slots.repository.ts';

const tags = ['Scheduling'];

function reportToApi(report: GenerationReport) {
  return { ...report, affectedBookedSlots: report.affectedBookedSlots.map((s) => slotToApi(s)) };
}

async function companyTimezone(db: Kysely<Database>, companyId: string): Promise<string> {
  return (await schedulingSettings(db, companyId))?.timezone ?? 'UTC';
}

export function availabilityRoutes({ db, config, now }: AppDeps) {
  const horizon = config.scheduling.horizonWeeks;
  // A slot's own language is checked when HR sets it; one that follows the job's is checked at booking.
  const checkSlotLanguage = (settings: { language?: string | undefined }) => {
    if (settings.language) requireInterviewVoice(config.speech, settings.language, { path: 'body.settings.language' });
  };
  const audit = (
    trx: Kysely<Database>,
    principal: Principal,
    meta: RequestMeta,
    entry: Parameters<typeof recordAudit>[2],
  ) => recordAudit(trx, actorFromPrincipal(principal, meta), entry);
  // owningCompany has found the company, so its settings exist (with defaults) unless it was deleted in between.
  const settingsOf = async (companyId: string) => {
    const settings = await schedulingSettings(db, companyId);
    if (!settings) throw new AppError('not_found', 'No such company.');
    return settings;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/settings',
      operationId: 'getSchedulingSettings',
      summary: "The company's scheduling timezone and e-mail branding",
      tags,
      auth: 'hr',
      query: companyQuery,
      responses: { 200: { description: 'Settings', schema: settingsSchema } },
      handler: async ({ query, principal }) => {
        const companyId = await owningCompany(db, principal, query.companyId);
        return { status: 200, body: await settingsOf(companyId) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/scheduling/settings',
      operationId: 'updateSchedulingSettings',
      summary: 'Set the scheduling timezone, e-mail language and branding (name, logo URL, reply-to)',
      tags,
      auth: 'hr',
      body: settingsBody,
      responses: { 200: { description: 'Settings', schema: settingsSchema } },
      handler: async ({ body, principal, meta }) => {
        const companyId = await owningCompany(db, principal, body.companyId);
        const { companyId: _ignored, ...values } = body;
        await db.transaction().execute(async (trx) => {
          await upsertSchedulingSettings(trx, companyId, values);
          await audit(trx, principal, meta, { companyId, action: 'scheduling.settings.update', details: values });
        });
        return { status: 200, body: await settingsOf(companyId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/configs',
      operationId: 'createAvailabilityConfig',
      summary: 'Publish when the AI interviewer is available; generates its slots over the horizon',
      tags,
      auth: 'hr',
      body: createConfigBody,
      responses: { 201: { description: 'Created', schema: configWithReport } },
      handler: async ({ body, principal, meta }) => {
        checkSlotLanguage(body.settings);
        const companyId = await owningCompany(db, principal, body.companyId);
        const timezone = body.timezone ?? (await companyTimezone(db, companyId));
        const at = now();
        const { created, report } = await db.transaction().execute(async (trx) => {
          const created = await insertConfig(trx, companyId, configValues(body, timezone));
          const count = await generateSlots(trx, created, at, horizon);
          await applyBlocks(trx, companyId, at);
          const overlapConflicts = await detectOverlaps(trx, companyId, created.id, at);
          await audit(trx, principal, meta, {
            companyId,
            action: 'scheduling.config.create',
            targetType: 'availability_config',
            targetId: created.id,
          });
          return { created, report: { created: count, removed: 0, affectedBookedSlots: [], overlapConflicts } };
        });
        return {
          status: 201,
          body: { ...configToApi(created), generation: reportToApi(report) },
          headers: { Location: `/v1/scheduling/configs/${created.id}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/configs',
      operationId: 'listAvailabilityConfigs',
      summary: 'List availability configurations, newest first',
      tags,
      auth: 'hr',
      query: pageQuery,
      responses: { 200: { description: 'A page of configurations', schema: configPage } },
      handler: async ({ query, principal }) => {
        const page = await listConfigs(db, companyScope(principal), query.limit, query.cursor);
        return { status: 200, body: { ...page, items: page.items.map(configToApi) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/configs/:id',
      operationId: 'getAvailabilityConfig',
      summary: 'Get an availability configuration',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The configuration', schema: configSchema } },
      handler: async ({ params, principal }) => {
        const found = await findConfig(db, companyScope(principal), params.id);
        if (!found) throw new AppError('not_found', 'No such availability configuration.');
        return { status: 200, body: configToApi(found) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/scheduling/configs/:id',
      operationId: 'updateAvailabilityConfig',
      summary: 'Change a configuration; reports the booked slots the change affects instead of dropping them',
      tags,
      auth: 'hr',
      params: idParams,
      body: updateConfigBody,
      responses: { 200: { description: 'Updated', schema: configWithReport } },
      handler: async ({ params, body, principal, meta }) => {
        checkSlotLanguage(body.settings);
        const at = now();
        const result = await db.transaction().execute(async (trx) => {
          const existing = await findConfig(trx, companyScope(principal), params.id, true);
          if (!existing) throw new AppError('not_found', 'No such availability configuration.');
          const updated: AvailabilityConfig = await trx
            .updateTable('availabilityConfigs')
            .set({ ...configValues(body, body.timezone ?? existing.timezone), updatedAt: at })
            .where('id', '=', existing.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          const report = await reconcileConfigSlots(trx, updated.id, updated, at, horizon);
          await audit(trx, principal, meta, {
            companyId: updated.companyId,
            action: 'scheduling.config.update',
            targetType: 'availability_config',
            targetId: updated.id,
            details: { affectedBookedSlots: report.affectedBookedSlots.map((s) => s.id) },
          });
          return { updated, report };
        });
        return { status: 200, body: { ...configToApi(result.updated), generation: reportToApi(result.report) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/scheduling/configs/:id',
      operationId: 'deleteAvailabilityConfig',
      summary: 'Delete a configuration and its unbooked future slots; reports booked slots kept for their bookings',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'What the deletion did', schema: generationReportSchema } },
      handler: async ({ params, principal, meta }) => {
        const at = now();
        const report = await db.transaction().execute(async (trx) => {
          const existing = await findConfig(trx, companyScope(principal), params.id, true);
          if (!existing) throw new AppError('not_found', 'No such availability configuration.');
          const report = await reconcileConfigSlots(trx, existing.id, null, at, horizon);
          await trx.deleteFrom('availabilityConfigs').where('id', '=', existing.id).execute();
          await audit(trx, principal, meta, {
            companyId: existing.companyId,
            action: 'scheduling.config.delete',
            targetType: 'availability_config',
            targetId: existing.id,
            details: { affectedBookedSlots: report.affectedBookedSlots.map((s) => s.id) },
          });
          return report;
        });
        return { status: 200, body: reportToApi(report) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/slots/generate',
      operationId: 'generateSlots',
      summary: 'Generate slots from every configuration over the rolling horizon; idempotent',
      tags,
      auth: 'hr',
      body: generateBody,
      responses: { 200: { description: 'What the run created', schema: generationReportSchema } },
      handler: async ({ body, principal }) => {
        const companyId = await owningCompany(db, principal, body.companyId);
        return { status: 200, body: reportToApi(await regenerateCompany(db, companyId, now(), horizon)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/slots',
      operationId: 'createSlot',
      summary: 'Add a one-off slot',
      tags,
      auth: 'hr',
      body: createSlotBody,
      responses: { 201: { description: 'Created', schema: slotSchema } },
      handler: async ({ body, principal, meta }) => {
        checkSlotLanguage(body.settings);
        const companyId = await owningCompany(db, principal, body.companyId);
        const timezone = body.timezone ?? (await companyTimezone(db, companyId));
        const slot = await db.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto('slots')
            .values({
              companyId,
              interviewType: body.interviewType,
              startsAt: body.startsAt,
              endsAt: body.endsAt,
              capacity: body.capacity,
              timezone,
              settings: JSON.stringify(body.settings),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await applyBlocks(trx, companyId, now());
          await audit(trx, principal, meta, {
            companyId,
            action: 'scheduling.slot.create',
            targetType: 'slot',
            targetId: inserted.id,
          });
          return trx.selectFrom('slots').selectAll().where('id', '=', inserted.id).executeTakeFirstOrThrow();
        });
        return { status: 201, body: slotToApi(slot), headers: { Location: `/v1/scheduling/slots/${slot.id}` } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/slots',
      operationId: 'searchSlots',
      summary: 'Search slots by interview type and time range, shown in a given timezone, paged in time order',
      tags,
      auth: 'hr',
      query: searchSlotsQuery,
      responses: { 200: { description: 'A page of slots', schema: slotPage } },
      handler: async ({ query, principal }) => {
        const page = await searchSlots(db, companyScope(principal), { ...query, notBefore: now() });
        return { status: 200, body: { ...page, items: page.items.map((s) => slotToApi(s, query.tz)) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/slots/:id',
      operationId: 'getSlot',
      summary: 'Get a slot',
      tags,
      auth: 'hr',
      params: idParams,
      query: z.object({ tz: searchSlotsQuery.shape.tz }),
      responses: { 200: { description: 'The slot', schema: slotSchema } },
      handler: async ({ params, query, principal }) => {
        const slot = await findSlot(db, companyScope(principal), params.id);
        if (!slot) throw new AppError('not_found', 'No such slot.');
        return { status: 200, body: slotToApi(slot, query.tz) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/scheduling/slots/:id',
      operationId: 'deleteSlot',
      summary: 'Remove a slot; a booked one is kept for its bookings, taken out of booking and reported as a conflict',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'What the removal did', schema: generationReportSchema } },
      handler: async ({ params, principal, meta }) => {
        const report = await db.transaction().execute(async (trx) => {
          let q = trx.selectFrom('slots').selectAll().where('id', '=', params.id).where('status', '<>', 'orphaned');
          const scope = companyScope(principal);
          if (scope) q = q.where('companyId', '=', scope);
          const slot = await q.forUpdate().executeTakeFirst();
          if (!slot) throw new AppError('not_found', 'No such slot.');
          const report: GenerationReport = { created: 0, removed: 0, affectedBookedSlots: [], overlapConflicts: 0 };
          const referenced = await trx
            .selectFrom('bookings')
            .select('id')
            .where('slotId', '=', slot.id)
            .limit(1)
            .executeTakeFirst();
          if (!referenced) {
            await trx.deleteFrom('slots').where('id', '=', slot.id).execute();
            report.removed = 1;
          } else {
            const orphaned = await trx
              .updateTable('slots')
              .set({ status: 'orphaned' })
              .where('id', '=', slot.id)
              .returningAll()
              .executeTakeFirstOrThrow();
            if (slot.bookedCount > 0) {
              report.affectedBookedSlots.push(orphaned);
              await recordBookingConflicts(trx, [slot.id], 'booking_on_removed_slot', { change: 'slot_deleted' });
            } else report.removed = 1;
          }
          await audit(trx, principal, meta, {
            companyId: slot.companyId,
            action: 'scheduling.slot.delete',
            targetType: 'slot',
            targetId: slot.id,
            details: { booked: slot.bookedCount },
          });
          return report;
        });
        return { status: 200, body: reportToApi(report) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/blocks',
      operationId: 'createBlock',
      summary: 'Block one slot or a time range (holidays); bookings inside become conflicts',
      tags,
      auth: 'hr',
      body: createBlockBody,
      responses: { 201: { description: 'Created', schema: blockWithReport } },
      handler: async ({ body, principal, meta }) => {
        let companyId: string;
        let range: { startsAt: Date; endsAt: Date };
        if (body.slotId) {
          const slot = await findSlot(db, companyScope(principal), body.slotId);
          if (!slot) throw new AppError('not_found', 'No such slot.');
          if (body.companyId && body.companyId !== slot.companyId) throw new AppError('not_found', 'No such slot.');
          companyId = slot.companyId;
          range = { startsAt: slot.startsAt, endsAt: slot.endsAt };
        } else {
          companyId = await owningCompany(db, principal, body.companyId);
          range = { startsAt: body.startsAt!, endsAt: body.endsAt! };
        }
        const result = await db.transaction().execute(async (trx) => {
          const block = await trx
            .insertInto('scheduleBlocks')
            .values({
              companyId,
              interviewType: body.interviewType ?? null,
              slotId: body.slotId ?? null,
              ...range,
              reason: body.reason,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const applied = await applyBlocks(trx, companyId, now());
          await audit(trx, principal, meta, {
            companyId,
            action: 'scheduling.block.create',
            targetType: 'schedule_block',
            targetId: block.id,
            details: { blockedSlots: applied.blocked, affectedBookings: applied.affectedBookings },
          });
          return { ...block, blockedSlots: applied.blocked, affectedBookings: applied.affectedBookings };
        });
        return { status: 201, body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/blocks',
      operationId: 'listBlocks',
      summary: 'List blocks, newest first',
      tags,
      auth: 'hr',
      query: pageQuery,
      responses: { 200: { description: 'A page of blocks', schema: blockPage } },
      handler: async ({ query, principal }) => {
        const scope = companyScope(principal);
        let q = db.selectFrom('scheduleBlocks').selectAll();
        if (scope) q = q.where('companyId', '=', scope);
        return {
          status: 200,
          body: toPage(await paginate(q, 'schedule_blocks', query.cursor, query.limit).execute(), query.limit),
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/scheduling/blocks/:id',
      operationId: 'deleteBlock',
      summary: 'Remove a block; the slots it alone covered become bookable again',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The removed block', schema: blockSchema } },
      handler: async ({ params, principal, meta }) => {
        const scope = companyScope(principal);
        const removed = await db.transaction().execute(async (trx) => {
          let q = trx.deleteFrom('scheduleBlocks').where('id', '=', params.id);
          if (scope) q = q.where('companyId', '=', scope);
          const block = await q.returningAll().executeTakeFirst();
          if (!block) throw new AppError('not_found', 'No such block.');
          await releaseUnblockedSlots(trx, block.companyId);
          await audit(trx, principal, meta, {
            companyId: block.companyId,
            action: 'scheduling.block.delete',
            targetType: 'schedule_block',
            targetId: block.id,
          });
          return block;
        });
        return { status: 200, body: removed };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/calendar',
      operationId: 'schedulingCalendar',
      summary: "Bookings and free capacity by day or by week, in the company's timezone",
      tags,
      auth: 'hr',
      query: calendarQuery,
      responses: { 200: { description: 'The calendar', schema: calendarSchema } },
      handler: async ({ query, principal }) => {
        const companyId = await owningCompany(db, principal, query.companyId);
        const zone = await companyTimezone(db, companyId);
        const buckets = await calendar(
          db,
          companyId,
          localDateRange(query.from, query.to, zone),
          zone,
          query.by,
          query.interviewType,
        );
        return { status: 200, body: { timezone: zone, by: query.by, buckets } };
      },
    }),
  ];
}
