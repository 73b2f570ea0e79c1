import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { upsertSchedulingSettings } from '../../api/scheduling/settings.repository.ts';
import { en } from '../../web/src/i18n/en.ts';
import { client, seedCompany, seedInterview, startTestApi, testEnv, type TestApi } from '../support/harness.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import {
  allowMicrophone,
  axeViolations,
  ensureWebBuilt,
  launchBrowser,
  screenshot,
  speechWav,
  viewports,
} from './support/browser.ts';

// The candidate's pages, second pass (issue 18), in Chromium against the real API, Postgres and LiveKit server, no
// agent: the join page readable from its HTML alone, the form first on a phone, the rejoin after a reload (phone
// only, no Prepare, the server's deadline), the interview page's own parts, the dead ends, Arabic digits.

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let hr: ReturnType<typeof client>;
let arHr: ReturnType<typeof client>;
let browser: Browser;
const phone = '+971501234567';

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  hr = client(api.url, (await seedCompany(api.db, 'Gulf Logistics')).key);
  const arCompany = await seedCompany(api.db, 'شركة الخليج');
  arHr = client(api.url, arCompany.key);
  await upsertSchedulingSettings(api.db, arCompany.companyId, { locale: 'ar', replyTo: 'jobs@gulf.example' });
  browser = await launchBrowser({ wav: speechWav('Hello, I can hear myself clearly.'), loop: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function pageAt(size: keyof typeof viewports, options: { touch?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: viewports[size],
    locale: 'en-US',
    ...(options.touch ? { hasTouch: true, isMobile: true } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

async function arabicInterview(options: { start?: Date; end?: Date } = {}) {
  const { interview } = await seedInterview(arHr, { phone, ...options });
  await api.db.updateTable('interviews').set({ language: 'ar' }).where('id', '=', interview.id).execute();
  return interview;
}

const inViewport = async (page: Page, selector: string) => {
  const box = await page.locator(selector).boundingBox();
  return box !== null && box.y >= 0 && box.y + box.height <= page.viewportSize()!.height;
};

describe('the join page before its script', () => {
  it('the HTML itself names the company and the role, in the interview language; a lookup failure serves the plain page', async () => {
    const { interview } = await seedInterview(hr, { phone });
    const html = await (await fetch(`${api.url}/join/${interview.roomCode}`)).text();
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('Your interview with Gulf Logistics');
    expect(html).toContain('Backend Engineer');
    expect(html).toContain('id="room-info"');

    const arabic = await arabicInterview();
    const link = new URL(arabic.signedLink.url);
    const response = await fetch(`${api.url}/join${link.search}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const arHtml = await response.text();
    expect(arHtml).toContain('<html lang="ar" dir="rtl">');
    expect(arHtml).toContain('مقابلتك مع شركة الخليج');

    // Unknown code, a name that needs escaping: the plain page, nothing injected.
    const unknown = await (await fetch(`${api.url}/join/%3Cscript%3E`)).text();
    expect(unknown).not.toContain('room-info');
    expect(unknown).toContain('<div id="root"></div>');

    // Before any script has arrived (here: never), the candidate already reads whose interview it is.
    for (const size of ['desktop', 'phone'] as const) {
      const { page, context } = await pageAt(size);
      await page.route(/\/assets\/.+\.js$/, (route) => route.abort());
      await page.goto(`${api.url}/join${link.search}`);
      expect(await page.locator('body').innerText()).toContain('شركة الخليج');
      expect(await page.evaluate('document.documentElement.dir')).toBe('rtl');
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-preview-ar-${size}`);
      await context.close();
    }
  });
});

describe('join page layout', () => {
  for (const lang of ['en', 'ar'] as const) {
    it(`on a 360 px phone the form comes first, the notice below it, open on the first view only (${lang})`, async () => {
      const interview = lang === 'ar' ? await arabicInterview() : (await seedInterview(hr, { phone })).interview;
      const { page, context, errors } = await pageAt('phone');
      await page.goto(`${api.url}/join/${interview.roomCode}`);
      await page.locator('#phone').waitFor();
      expect(await inViewport(page, '#phone')).toBe(true);
      const notice = page.getByTestId('notice');
      expect(await notice.getAttribute('open')).not.toBeNull();
      // The notice's summary is a control a keyboard reaches; it closes and opens the section.
      await page.locator('.join-notice summary').focus();
      await page.keyboard.press('Enter');
      expect(await notice.getAttribute('open')).toBeNull();
      await page.keyboard.press('Enter');
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-join-${lang}-phone`);
      await page.setViewportSize(viewports.desktop);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-join-${lang}-desktop`);
      // Seen once in this tab: folded on the next view, one line instead of a screen of text.
      await page.reload();
      await page.locator('#phone').waitFor();
      expect(await notice.getAttribute('open')).toBeNull();
      if (lang === 'ar') {
        // One digit style per page: Latin, like the room code and the phone.
        expect(await page.locator('main').innerText()).not.toMatch(/[\u0660-\u0669]/);
      }
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('the countdown in Arabic: when joining opens and when the interview starts, with its time zone, Latin digits', async () => {
    const start = new Date(Date.now() + 3 * 3_600_000);
    const interview = await arabicInterview({ start, end: new Date(start.getTime() + 30 * 60_000) });
    for (const size of ['desktop', 'phone'] as const) {
      const { page, context } = await pageAt(size);
      await page.goto(`${api.url}/join/${interview.roomCode}`);
      await page.getByTestId('countdown').waitFor();
      const text = await page.getByTestId('countdown').innerText();
      expect(text).toContain('موعد بدء المقابلة');
      expect(text).toMatch(/التوقيت العالمي المنسق|غرينتش|UTC/);
      expect(text).not.toMatch(/[\u0660-\u0669]/);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-countdown-ar-${size}`);
      await context.close();
    }
  });
});

describe('dead ends', () => {
  it('cancelled, in Arabic: the company by name and its reply-to address, no room code entry', async () => {
    const interview = await arabicInterview();
    expect((await arHr('POST', `/v1/interviews/${interview.id}/cancel`, { body: {} })).status).toBe(200);
    for (const size of ['desktop', 'phone'] as const) {
      const { page, context } = await pageAt(size);
      await page.goto(`${api.url}/join/${interview.roomCode}`);
      await page.getByTestId('contact').waitFor();
      expect(await page.getByTestId('contact').innerText()).toContain('شركة الخليج');
      expect(await page.getByRole('link', { name: 'jobs@gulf.example' }).getAttribute('href')).toBe(
        'mailto:jobs@gulf.example',
      );
      expect(await page.getByRole('link', { name: 'أدخل رمز غرفة' }).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-cancelled-ar-${size}`);
      await context.close();
    }
  });
});

describe('prepare, interview and the rejoin', () => {
  for (const size of ['phone', 'desktop'] as const) {
    it(`Start in view on Prepare; the interview page: own level meter, typed-only notice; a reload rejoins with the phone only, no Prepare, the server's deadline (${size})`, async () => {
      const { interview } = await seedInterview(hr, { phone });
      const { page, context, errors } = await pageAt(size, { touch: size === 'phone' });
      await page.goto(`${api.url}/join/${interview.roomCode}`);
      await page.getByLabel('Phone number').fill('050 123 4567');
      await page.getByLabel('First name').fill('Layla');
      await page.getByLabel('Last name').fill('Haddad');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor();
      await allowMicrophone(page);
      const start = page.getByRole('button', { name: 'Start the interview' });
      await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
      expect(await inViewport(page, '.start button.primary')).toBe(true);
      await screenshot(page, `pass2-prepare-${size}`);
      await start.click();

      // The page never offers a greyed "Unmute" while it connects: it says the microphone is starting.
      await page.getByTestId('agent-state').waitFor();
      expect(await page.getByRole('button', { name: 'Unmute microphone', disabled: true }).count()).toBe(0);
      await expect
        .poll(() => page.getByTestId('agent-state').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('waiting');
      // This API has no speech recognition configured (local mode): answers are typed, and the page says so.
      expect(await page.getByTestId('typed-only').innerText()).toContain('type each answer');
      await page.getByRole('button', { name: 'Mute microphone' }).waitFor({ timeout: 30_000 });
      // "Press Enter to send" is for keyboards: not on a touch phone.
      expect(await page.getByText('Press Enter to send').isVisible()).toBe(size === 'desktop');
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-interview-${size}`);

      // The interview started 8 minutes ago on the server's clock (as the agent's arrival would have it).
      const deadline = new Date(Date.now() + 22 * 60_000);
      await api.db
        .updateTable('interviews')
        .set({ status: 'in_progress', startedAt: new Date(Date.now() - 8 * 60_000), deadlineAt: deadline })
        .where('id', '=', interview.id)
        .execute();
      await context.grantPermissions(['microphone'], { origin: api.url });
      // From here the API says the interviewer hears (as with DEEPGRAM_API_KEY set): the page offers voice.
      api.deps.config.join.answers = 'voice';
      await page.reload();
      await page.getByText('Enter your phone number again to rejoin').waitFor();
      expect(await page.getByLabel('First name').count()).toBe(0);
      expect(await page.getByLabel('Last name').count()).toBe(0);
      await screenshot(page, `pass2-rejoin-${size}`);
      await page.getByLabel('Phone number').fill('050 123 4567');
      await page.getByRole('button', { name: 'Continue' }).click();
      // Straight back to the interview: the microphone is allowed, the checks were done.
      await page.getByTestId('agent-state').waitFor({ timeout: 30_000 });
      expect(await page.getByRole('heading', { name: 'Check your microphone and speaker' }).count()).toBe(0);
      expect(new URL(page.url()).pathname).toBe('/interview');
      const left = await page.getByTestId('time-left').innerText();
      expect(left).toMatch(/Time left: (22:00|21:\d\d)/);
      // The candidate's own microphone level, as LiveKit sends it.
      await page.getByTestId('mic-level').waitFor({ timeout: 30_000 });
      await expect
        .poll(async () => Number(await page.getByTestId('mic-level').getAttribute('aria-valuenow')), {
          timeout: 30_000,
        })
        .toBeGreaterThan(0);
      expect(await page.getByTestId('typed-only').count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Switch language to Arabic' }).click();
      expect(await page.locator('main').innerText()).not.toMatch(/[\u0660-\u0669]/);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, `pass2-interview-rejoined-ar-${size}`);
      expect(errors).toEqual([]);
      api.deps.config.join.answers = 'typed';
      await context.close();
    });
  }
});

describe('a room LiveKit cannot open for a moment', () => {
  it('the join page says so and asks again by itself: joined once LiveKit answers, with no click', async () => {
    // An API of its own whose way to LiveKit the test can cut, as a dead node or a restart does (the browser reaches
    // LiveKit through the same address, so the interview would too).
    const target = new URL(testEnv().LIVEKIT_URL!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port));
    const cutApi = await startTestApi({ env: { LIVEKIT_URL: `ws://127.0.0.1:${proxy.port}` } });
    const { page, context, errors } = await pageAt('desktop');
    try {
      const cutHr = client(cutApi.url, (await seedCompany(cutApi.db, 'Gulf Logistics')).key);
      const { interview } = await seedInterview(cutHr, { phone });
      proxy.cut();
      await page.goto(`${cutApi.url}/join/${interview.roomCode}`);
      await page.getByLabel('Phone number').fill('050 123 4567');
      await page.getByLabel('First name').fill('Layla');
      await page.getByLabel('Last name').fill('Haddad');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect
        .poll(() => page.getByRole('alert').allInnerTexts(), { timeout: 30_000 })
        .toContain(en['error.upstream_unavailable']);
      const refused = await cutApi.db
        .selectFrom('interviews')
        .select(['roomCreatedAt', 'seatClaimedAt'])
        .where('id', '=', interview.id)
        .executeTakeFirstOrThrow();
      expect(refused).toEqual({ roomCreatedAt: null, seatClaimedAt: null });
      proxy.restore();
      // Retry-After is 5 s: the page's own retry gets the candidate in, nothing clicked since.
      await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor({ timeout: 30_000 });
      const joined = await cutApi.db
        .selectFrom('interviews')
        .select(['roomCreatedAt'])
        .where('id', '=', interview.id)
        .executeTakeFirstOrThrow();
      expect(joined.roomCreatedAt).not.toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await cutApi.stop();
      await proxy.close();
    }
  });
});
