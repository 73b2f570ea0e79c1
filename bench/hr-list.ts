// Benchmark of the HR workspace's interview list (GET /v1/interviews): the issue's goal is "the interview list API
// with 100,000 interviews in the company, p99 ≤ 50 ms per page". A company gets --interviews interviews (spread over
// a year, most of them finished, with scorecards and decisions as a real pipeline leaves them) for --candidates
// candidates and 20 jobs; a second company gets a fifth as many, so every query must keep to its own company. The
// API (the real app over HTTP, in this process) answers one request at a time; each filter shape is asked
// --requests times after a warm-up, on varying values and with the next page followed through the cursor, and the
// latency of each page is the time from sending the request to the parsed body.
//
//   node bench/hr-list.ts [--interviews 100000] [--candidates 40000] [--requests 200] [--limit 50] [--explain]
import type { Server } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import { createApp } from '../api/app.ts';
import { createApiKey } from '../api/auth/api-keys.ts';
import { insertCompany } from '../api/companies/companies.repository.ts';
import { loadApiConfig } from '../api/config.ts';
import { interviewListQuery, planInterviewList } from '../api/interviews/interviews.repository.ts';
import { listInterviewsQuery } from '../api/interviews/interviews.schemas.ts';
import { createLiveKitGateway } from '../api/livekit/gateway.ts';
import { connectDatabase } from '../shared/db/connect.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { createLogger } from '../shared/logger.ts';
import { startPostgres } from '../test/support/services.ts';
import { createBenchDatabase } from './support.ts';

const { values } = parseArgs({
  options: {
    interviews: { type: 'string', default: '100000' },
    candidates: { type: 'string', default: '40000' },
    requests: { type: 'string', default: '200' },
    limit: { type: 'string', default: '50' },
    // Prints the plan Postgres picks for each shape's first page.
    explain: { type: 'boolean', default: false },
  },
});
const interviewCount = Number(values.interviews);
const candidateCount = Number(values.candidates);
const requests = Number(values.requests);
const limit = Number(values.limit);

const postgres = await startPostgres();
const benchDb = await createBenchDatabase(postgres.url, `bench_hr_list_${process.pid}`);
const database = await connectDatabase({ url: benchDb.url, poolSize: 8 });
const { db } = database;

try {
  await migrateToLatest(db);
  const seedStart = Date.now();
  const measured = await insertCompany(db, { name: 'Bench Co' });
  const other = await insertCompany(db, { name: 'Other Co' });
  const key = (await createApiKey(db, { companyId: measured.id, isAdmin: false, name: 'bench' })).key;

  // Names from several scripts and with accents, so the search meets what a Gulf company's candidates look like.
  const firstNames = ['Layla', 'Omar', 'José', 'Zoë', 'Fatima', 'Ahmed', 'Renée', 'Chloé', 'Noah', 'Amira', 'Yusuf',
    'Björn', 'Ana', 'Mariam', 'Khalid', 'Søren', 'Priya', 'Arjun', 'محمد', 'فاطمة', 'Élodie', 'Hana', 'Tariq', 'Sara'];
  const lastNames = ['Haddad', 'Saleh', 'Müller', 'García', 'Nuñez', 'Al Mansouri', 'Khan', 'Öztürk', 'Dubois',
    'Nakamura', 'Okafor', 'Costa', 'العلي', 'Rahman', 'Ibrahim', 'Kowalski', 'Smith', 'Lefèvre', 'Silva', 'Chen'];

  async function seedCompany(companyId: string, interviews: number, candidates: number) {
    await sql`
      insert into jobs (company_id, title, description, competencies)
      select ${companyId}, 'Job ' || n, 'Bench job', '[{"key":"system_design","name":"System design","description":"x"}]'
      from generate_series(1, 20) n`.execute(db);
    // Every candidate's surname carries a number, so one name is found by exactly one candidate.
    await sql`
      insert into candidates (company_id, first_name, last_name, phone_e164, email, created_at)
      select ${companyId},
             (${firstNames}::text[])[1 + n % ${firstNames.length}],
             (${lastNames}::text[])[1 + (n / ${firstNames.length}) % ${lastNames.length}] || ' ' || n,
             '+9715' || lpad(n::text, 8, '0'), 'c' || n || '@example.com',
             now() - interval '400 days' + n * interval '1 second'
      from generate_series(1, ${candidates}) n`.execute(db);
    // Status mix of a year's pipeline: mostly finished, some ahead, few running.
    await sql`
      with j as (select array_agg(id order by title) ids from jobs where company_id = ${companyId}),
           c as (select array_agg(id order by created_at) ids from candidates where company_id = ${companyId}),
           n as (select n, random() r, now() - interval '365 days' + (n::float / ${interviews}) * interval '380 days' t
                 from generate_series(1, ${interviews}) n)
      insert into interviews (company_id, job_id, candidate_id, type, status, max_duration_minutes, language,
                              scheduled_start, scheduled_end, room_code, room_name, started_at, ended_at, end_reason,
                              created_at, updated_at)
      select ${companyId}, j.ids[1 + n.n % 20], c.ids[1 + (hashint4(n.n) & 2147483647) % ${candidates}],
             (array['TECHNICAL','BEHAVIORAL','CODING','SYSTEM_DESIGN','GENERAL','AI_SCREENING','FINAL','CUSTOM'])[1 + (hashint4(-n.n) & 7)],
             s.status, 30, case when n.n % 5 = 0 then 'ar' else 'en' end,
             n.t + interval '3 days', n.t + interval '3 days 30 minutes',
             upper(substr(md5(${companyId}::text || n.n), 1, 12)), 'bench-' || ${companyId}::text || '-' || n.n,
             case when s.status in ('completed', 'in_progress', 'failed') then n.t + interval '3 days' end,
             case when s.status not in ('scheduled', 'in_progress') then n.t + interval '3 days 25 minutes' end,
             case s.status when 'completed' then 'completed' when 'cancelled' then 'cancelled_by_hr'
                           when 'expired' then 'no_show' when 'failed' then 'agent_error' end,
             n.t, n.t
      from n, j, c,
           lateral (select case when n.t > now() - interval '3 days' then
                                  case when n.r < 0.01 then 'in_progress' else 'scheduled' end
                                when n.r < 0.72 then 'completed' when n.r < 0.84 then 'expired'
                                when n.r < 0.95 then 'cancelled' else 'failed' end status) s`.execute(db);
    await sql`
      insert into scorecards (interview_id, version, is_latest, status, trigger, prompt_version, plan_version,
                              overall_score, recommendation)
      select id, 1, true, 'complete', 'interview_completed', 'bench', 'bench', 1 + random() * 4,
             (array['advance','human_review','do_not_advance'])[1 + (hashtext(id::text) & 3) % 3]
      from interviews where company_id = ${companyId} and status = 'completed'`.execute(db);
    await sql`
      insert into hiring_decisions (interview_id, scorecard_version, decision, decided_by)
      select id, 1, (array['advance','hold','reject'])[1 + (hashtext(id::text) & 3) % 3], 'api_key:bench'
      from interviews where company_id = ${companyId} and status = 'completed' and hashtext(id::text) % 3 = 0`.execute(db);
  }
  await seedCompany(measured.id, interviewCount, candidateCount);
  await seedCompany(other.id, Math.round(interviewCount / 5), Math.round(candidateCount / 5));
  await sql`analyze`.execute(db);
  const seedSeconds = (Date.now() - seedStart) / 1000;

  const jobs = await db.selectFrom('jobs').select('id').where('companyId', '=', measured.id).execute();
  const names = await db
    .selectFrom('candidates')
    .select(['firstName', 'lastName'])
    .where('companyId', '=', measured.id)
    .orderBy(sql`random()`)
    .limit(50)
    .execute();

  const config = loadApiConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: benchDb.url,
    LIVEKIT_URL: 'ws://127.0.0.1:1',
    LIVEKIT_API_KEY: 'bench',
    LIVEKIT_API_SECRET: 'bench-secret-with-at-least-32-characters',
    LINK_SIGNING_SECRET: 'bench-link-secret-that-is-long-enough-123',
    PUBLIC_BASE_URL: 'http://interviews.bench',
  });
  const app = createApp({
    db,
    config,
    log: createLogger({ level: 'warn', name: 'bench-api' }),
    livekit: createLiveKitGateway(config.livekit),
    now: () => new Date(),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const day = 86_400_000;
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length]!;
  const weekFrom = (i: number) => new Date(Date.now() - ((i * 37) % 360) * day);
  const isoWeek = (i: number) =>
    `scheduledFrom=${weekFrom(i).toISOString()}&scheduledTo=${new Date(weekFrom(i).getTime() + 7 * day).toISOString()}`;
  const nameWithoutAccents = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();

  // Each shape gives the query string for its i-th request.
  const shapes: [string, (i: number) => string][] = [
    ['no filter', () => ''],
    ['status=completed', () => 'status=completed'],
    ['status=in_progress (rare)', () => 'status=in_progress'],
    ['status=scheduled,in_progress', () => 'status=scheduled,in_progress'],
    ['jobId', (i) => `jobId=${pick(jobs, i).id}`],
    ['type', (i) => `type=${pick(['TECHNICAL', 'CODING', 'FINAL', 'GENERAL'], i)}`],
    ['scheduled week', (i) => isoWeek(i)],
    ['q: 3-letter, common', (i) => `q=${encodeURIComponent(pick(['lay', 'had', 'mar', 'kha', 'sal'], i))}`],
    ['q: no accents for é/ü/ñ', (i) => `q=${encodeURIComponent(pick(['jose', 'muller', 'nunez', 'renee', 'oztu'], i))}`],
    ['q: full name, 1 match', (i) => `q=${encodeURIComponent(nameWithoutAccents(pick(names, i).lastName))}`],
    ['q: Arabic', (i) => `q=${encodeURIComponent(pick(['محمد', 'العلي', 'فاط'], i))}`],
    ['q: no match', (i) => `q=zzzq${i}`],
    ['status+jobId+week', (i) => `status=completed,expired&jobId=${pick(jobs, i).id}&${isoWeek(i)}`],
    ['status+type+q', (i) => `status=completed&type=${pick(['TECHNICAL', 'CODING'], i)}&q=${pick(['lay', 'om'], i)}`],
  ];

  async function page(query: string): Promise<{ ms: number; items: number; nextCursor: string | null }> {
    const started = performance.now();
    const response = await fetch(`${base}/v1/interviews?limit=${limit}${query ? `&${query}` : ''}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const body = (await response.json()) as { items: unknown[]; nextCursor: string | null };
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(body)}`);
    return { ms, items: body.items.length, nextCursor: body.nextCursor };
  }

  const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const rows: Record<string, string | number>[] = [];
  for (const [name, query] of shapes) {
    for (let i = 0; i < 20; i++) await page(query(i));
    const times: number[] = [];
    let rowsSeen = 0;
    // Two requests in three follow the previous page's cursor, as a person paging through the list does.
    let cursor: string | null = null;
    for (let i = 0; i < requests; i++) {
      const useCursor = cursor !== null && i % 3 !== 0;
      const q: string = useCursor ? `${query(i - 1)}&cursor=${cursor}` : query(i);
      const result = await page(q.replace(/^&/, ''));
      times.push(result.ms);
      rowsSeen += result.items;
      cursor = result.nextCursor;
    }
    times.sort((a, b) => a - b);
    rows.push({
      shape: name,
      p50: Number(percentile(times, 50).toFixed(1)),
      p95: Number(percentile(times, 95).toFixed(1)),
      p99: Number(percentile(times, 99).toFixed(1)),
      max: Number(times[times.length - 1]!.toFixed(1)),
      'rows/page': Number((rowsSeen / requests).toFixed(1)),
    });
    if (values.explain) {
      const filters = listInterviewsQuery.parse({ limit: String(limit), ...Object.fromEntries(new URLSearchParams(query(0))) });
      const listPlan = await planInterviewList(db, measured.id, filters);
      const compiled = interviewListQuery(db, measured.id, filters, listPlan).compile();
      const plan = await db.executeQuery<Record<string, string>>(
        CompiledQuery.raw(`explain (analyze, costs off) ${compiled.sql}`, [...compiled.parameters]),
      );
      console.log(`\n${name}:\n${plan.rows.map((r) => Object.values(r)[0]).join('\n')}`);
    }
  }

  console.log(
    `\nGET /v1/interviews, ${interviewCount.toLocaleString('en')} interviews and ${candidateCount.toLocaleString('en')} candidates in the company ` +
      `(+${Math.round(interviewCount / 5).toLocaleString('en')} in another), ${limit} rows a page, ${requests} requests a shape, ` +
      `one at a time; seeded in ${seedSeconds.toFixed(0)} s; load before ${loadavg()[0]!.toFixed(2)}`,
  );
  console.table(rows);
  const worst = Math.max(...rows.map((r) => r.p99 as number));
  console.log(`worst p99: ${worst} ms (goal ≤ 50 ms) → ${worst <= 50 ? 'met' : 'NOT met'}`);
  await new Promise<void>((resolve) => server.close(() => resolve()));
} finally {
  await database.destroy();
  await benchDb.drop();
}
