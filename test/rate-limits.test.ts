import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectStatus, seedCompany, seedInterview, startTestApi, type TestApi } from './support/harness.ts';

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;

beforeAll(async () => {
  // Behind our own proxy, X-Forwarded-For names the client; each test uses its own addresses.
  api = await startTestApi({
    env: {
      TRUST_PROXY: 'true',
      RATE_LIMIT_PER_PHONE: '3',
      RATE_LIMIT_PER_CODE: '5',
      RATE_LIMIT_PER_IP: '8',
      RATE_LIMIT_WINDOW_SECONDS: '600',
      AGENT_NAME: `interviewer-ratelimit-${process.pid}`,
    },
  });
  const { key } = await seedCompany(api.db, 'Acme');
  hr = client(api.url, key);
  pub = client(api.url);
});
afterAll(() => api?.stop());

const join = (code: string, phone: string, ip: string) =>
  pub('POST', `/v1/public/rooms/${code}/join`, {
    body: { phone, firstName: 'A', lastName: 'B' },
    headers: { 'x-forwarded-for': ip },
  });

describe('rate limits on the public join', () => {
  it('limits attempts per phone number, with 429, Retry-After and problem+json', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await join(`ZZZZ222${i + 2}`, '+971500000001', `10.0.1.${i}`));
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([404, 404, 404]);
    const limited = results[3]!;
    expectStatus(limited, 429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.body.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it('limits attempts per room code, even from many phones and addresses', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await join('YYYY3333', `+97150000010${i}`, `10.0.2.${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
  });

  it('limits attempts per address', async () => {
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await join(`XXXX4${i + 2}44`, `+97150000020${i}`, '10.0.3.1')).status);
    expect(statuses.slice(0, 8).every((s) => s === 404)).toBe(true);
    expect(statuses[8]).toBe(429);
  });

  it('counts exactly under concurrency, and never answers 5xx', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => join(`WWWW${String(i + 2).padStart(2, '2')}55`.slice(0, 8), '+971500000300', `10.0.4.${i}`)),
    ).then((rs) => rs.map((r) => r.status));
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it('lets the invited candidate in again once the window has passed', async () => {
    const { interview } = await seedInterview(hr, { phone: '+971500000400' });
    for (let i = 0; i < 3; i++) await join('VVVV6666', '+971500000400', `10.0.5.${i}`);
    expect((await join(interview.roomCode, '+971500000400', '10.0.5.9')).status).toBe(429);
    api.setNow(new Date(Date.now() + 601_000));
    expect((await join(interview.roomCode, '+971500000400', '10.0.5.9')).status).toBe(200);
    api.setNow(null);
  });

  it('counts one phone once, however it is written (+971 50…, 050…, 00971 50…)', async () => {
    const statuses = [];
    for (const [i, phone] of ['+971 50 000 0501', '050 000 0501', '00971500000501', '+971500000501'].entries()) {
      statuses.push((await join(`TTTT${i + 2}777`, phone, `10.0.6.${i}`)).status);
    }
    expect(statuses).toEqual([404, 404, 404, 429]);
  });

  it("does not let strangers lock the invited candidate out of their code: their own phone still gets in", async () => {
    const { interview } = await seedInterview(hr, { phone: '+971500000600' });
    // More wrong phones from more addresses than the per-code limit allows.
    const wrong = [];
    for (let i = 0; i < 7; i++) wrong.push((await join(interview.roomCode, `+97150000070${i}`, `10.0.7.${i}`)).status);
    expect(wrong.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(wrong.slice(5)).toEqual([429, 429]);
    // The invited candidate, written without the country code, from an address of their own.
    expect((await join(interview.roomCode, '050 000 0600', '10.0.7.99')).status).toBe(200);
  });
});
