import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { client, interviewRoom, seedCompany, seedInterview, startTestApi, type TestApi } from '../support/harness.ts';
import {
  allowMicrophone,
  axeViolations,
  checkAtBothSizes,
  ensureWebBuilt,
  launchBrowser,
  newPage,
  screenshot,
  speechWav,
  viewports,
} from './support/browser.ts';

// The candidate pages in Debian's Chromium against the real API, Postgres and LiveKit server. No agent runs here:
// these are the paths that need none (the end-to-end interview with the agent is in interview.e2e.test.ts).

// A browser test waits on real pages and a real room; give each test room on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let hr: ReturnType<typeof client>;
let browser: Browser;
const phone = '+971501234567';
const typedPhone = '050 123 4567'; // national form; the country picker defaults to the company's region (AE)

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  const { key } = await seedCompany(api.db, 'Gulf Logistics');
  hr = client(api.url, key);
  browser = await launchBrowser({ wav: speechWav('Hello, my name is Layla Haddad and I can hear myself clearly.') });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

/** The invitation's link, pointed at this test API instead of PUBLIC_BASE_URL. */
function linkFor(interview: { signedLink: { url: string } }) {
  const link = new URL(interview.signedLink.url);
  return `${api.url}${link.pathname}${link.search}`;
}
const linkToken = (interview: { signedLink: { url: string } }) =>
  new URL(interview.signedLink.url).searchParams.get('link')!;

async function fillJoinForm(page: Page, phoneInput = typedPhone) {
  await page.getByLabel('Phone number').fill(phoneInput);
  await page.getByLabel('First name').fill('Layla');
  await page.getByLabel('Last name').fill('Haddad');
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function privateStorage(page: Page) {
  return page.evaluate(
    'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href })',
  ) as Promise<string>;
}

describe('join page', () => {
  it('shows the interview, the AI disclosure and a phone field validated as the candidate types; en and ar', async () => {
    const { interview } = await seedInterview(hr, { phone });
    const { page, context, errors } = await newPage(browser);
    await page.goto(linkFor(interview));
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Your interview with Gulf Logistics');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Backend Engineer');
    expect(text).toContain('Technical');
    expect(text).toContain('Up to 30 minutes');
    expect(text).toContain('conducted by AI');
    expect(text).toContain('written transcript');
    expect(text).toContain('reviews the result');
    // The alternative process: the notice says how to ask, and the way to ask is on the page.
    expect(text).toContain('another way to be interviewed');
    await expect
      .poll(() => page.getByRole('button', { name: 'I’d like another way to be interviewed' }).count())
      .toBe(1);
    expect(await page.getByLabel('Country').inputValue()).toBe('AE');

    const phoneField = page.getByLabel('Phone number');
    await phoneField.fill('050 12');
    expect(await page.locator('#phone-state').innerText()).toBe('');
    await phoneField.fill('050 1234');
    await expect
      .poll(() => page.locator('#phone-state').innerText())
      .toContain('does not look like a valid phone number');
    expect(await phoneField.getAttribute('aria-invalid')).toBe('true');
    await phoneField.fill(typedPhone);
    await expect.poll(() => page.locator('#phone-state').innerText()).toBe('Phone number looks right.');
    // Another country makes the same digits invalid; an international number is valid whatever the picker says.
    await page.getByLabel('Country').selectOption('GB');
    await expect.poll(() => page.locator('#phone-state').innerText()).toContain('does not look like');
    await phoneField.fill('+971 50 123 4567');
    await expect.poll(() => page.locator('#phone-state').innerText()).toBe('Phone number looks right.');

    expect(await checkAtBothSizes(page, 'join-en')).toEqual([]);
    await page.getByRole('button', { name: 'Switch language to Arabic' }).click();
    await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe('rtl');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('مقابلتك مع Gulf Logistics');
    expect(await checkAtBothSizes(page, 'join-ar')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a wrong phone number is refused in words, under the phone field, until the number changes', async () => {
    const { interview } = await seedInterview(hr, { phone });
    const { page, context } = await newPage(browser, 'phone');
    await page.goto(linkFor(interview));
    await page.getByLabel('Phone number').waitFor();
    // Keyboard only. The page arrives with the interview in its HTML, so focus starts on its heading (announced
    // first); Tab goes country → phone → first name → last name → Continue; Enter submits.
    expect(await page.evaluate('document.activeElement.id')).toBe('join-title');
    const visited: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      visited.push(await page.evaluate('document.activeElement.id || document.activeElement.textContent'));
      if (visited.at(-1) === 'phone') await page.keyboard.type('050 765 4321');
      if (visited.at(-1) === 'first-name') await page.keyboard.type('Layla');
      if (visited.at(-1) === 'last-name') await page.keyboard.type('Haddad');
    }
    expect(visited).toEqual(['country', 'phone', 'first-name', 'last-name', 'Continue']);
    await page.keyboard.press('Enter');
    // The refusal belongs to the phone: said under it (not under Last name), the field marked invalid, no green
    // "looks right" beside it, focus back on it.
    const state = page.locator('#phone-state');
    await expect.poll(() => state.textContent()).toContain('No open interview matches this phone number');
    expect(await state.textContent()).not.toMatch(/[{}]|not_found|404|looks right/);
    expect(await state.getAttribute('class')).toBe('field-error');
    expect(await page.getByLabel('Phone number').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('phone');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'join-wrong-phone-phone');
    // Edited, the number is judged afresh.
    await page.getByLabel('Phone number').fill('050 765 4322');
    await expect.poll(() => state.textContent()).toBe('Phone number looks right.');
    expect(await page.getByLabel('Phone number').getAttribute('aria-invalid')).toBeNull();
    await context.close();
  });

  it('before the window opens: a countdown, then the form becomes ready on its own', async () => {
    const before = api.deps.config.links.windowBeforeMinutes;
    // The window opens in ten minutes. The test does not wait for them: once the countdown has been checked (for as
    // long as a busy machine takes), the API's clock and the page's are moved there together.
    const opensAt = Date.now() + 10 * 60_000;
    const start = new Date(opensAt + before * 60_000);
    const { interview } = await seedInterview(hr, { phone, start, end: new Date(start.getTime() + 30 * 60_000) });
    const { page, context } = await newPage(browser);
    await page.clock.install();
    // Typed by hand: lower case and no dash still find the interview.
    await page.goto(`${api.url}/join/${interview.roomCode.replace('-', '').toLowerCase()}`);
    await page.getByTestId('countdown').waitFor();
    const countdown = await page.getByTestId('countdown').innerText();
    expect(countdown).toMatch(/Joining opens in\s+(10:00|0\d:\d\d)/);
    // Said once, and the start of the interview itself, with its time zone (the browser's).
    expect(countdown.match(/opens in/g)).toHaveLength(1);
    expect(await page.getByTestId('starts-at').innerText()).toMatch(
      /^The interview starts on .+ (Coordinated Universal Time|GMT|UTC)/,
    );
    const submit = page.getByRole('button', { name: 'Continue' });
    expect(await submit.isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'join-countdown-desktop');
    api.setNow(new Date(opensAt + 1_000));
    try {
      // The page's own timer sees the time come and opens the form; nothing on the page is touched.
      await page.clock.fastForward(opensAt + 1_000 - (await page.evaluate(() => Date.now())));
      await page.getByTestId('countdown').waitFor({ state: 'detached' });
      expect(await submit.isEnabled()).toBe(true);
      await fillJoinForm(page);
      await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor();
    } finally {
      api.setNow(null);
    }
    await context.close();
  });

  it('expired, cancelled and unknown interviews get a plain page', async () => {
    const { interview: expired } = await seedInterview(hr, { phone });
    const { interview: cancelled } = await seedInterview(hr, { phone });
    expect((await hr('POST', `/v1/interviews/${cancelled.id}/cancel`, { body: {} })).status).toBe(200);
    const { page, context } = await newPage(browser);

    await page.goto(`${api.url}/join/${cancelled.roomCode}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('This interview was cancelled');
    // No dead end: not another room code, but how to reach the company (no reply-to set: the invitation e-mail).
    expect(await page.getByText('Enter a room code').count()).toBe(0);
    expect(await page.getByTestId('contact').innerText()).toBe(
      'Questions? Reply to the invitation e-mail from Gulf Logistics.',
    );
    expect(await checkAtBothSizes(page, 'status-cancelled')).toEqual([]);

    await page.goto(`${api.url}/join/ZZZZ-ZZZZ`);
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('We could not find this interview');
    expect(await page.locator('main').innerText()).toContain('contact the company that invited you');
    expect(await checkAtBothSizes(page, 'status-unknown')).toEqual([]);

    api.setNow(new Date(Date.parse(expired.scheduledEnd) + (api.deps.config.links.windowAfterMinutes + 1) * 60_000));
    try {
      await page.goto(linkFor(expired));
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toMatch(/^(This interview link has expired|We could not find this interview)$/);
      await page.goto(`${api.url}/join/${expired.roomCode}`);
      await expect
        .poll(() => page.getByRole('heading', { level: 1 }).textContent())
        .toBe('This interview link has expired');
      expect(await page.getByText('Enter a room code').count()).toBe(0);
      expect(await page.getByTestId('contact').innerText()).toContain('Gulf Logistics');
      expect(await checkAtBothSizes(page, 'status-expired')).toEqual([]);
    } finally {
      api.setNow(null);
    }
    await context.close();
  });
});

describe('prepare, interview (without an agent) and done', () => {
  it('mic check on the fake microphone, connection check, the room; network drop, mute, reload rejoin, end with confirmation', async () => {
    const { interview } = await seedInterview(hr, { phone });
    const { page, context, errors } = await newPage(browser);
    const assets: string[] = [];
    const notFound: string[] = [];
    page.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (pathname.startsWith('/assets/')) assets.push(pathname);
      // API refusals are the page's business; a missing file (a favicon, a chunk) is not.
      if (response.status() >= 400 && !pathname.startsWith('/v1/')) notFound.push(`${response.status()} ${pathname}`);
    });
    await page.goto(linkFor(interview));
    await fillJoinForm(page);
    await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor();
    // The interview's chunk (LiveKit) downloads during the checks, before Start is pressed.
    await expect.poll(() => assets.some((a) => /^\/assets\/interview-[^/]+\.js$/.test(a))).toBe(true);

    // After the join the address bar, local and session storage hold neither the phone nor any token.
    const stored = await privateStorage(page);
    expect(new URL(page.url()).pathname).toBe('/prepare');
    expect(stored).not.toContain(linkToken(interview));
    expect(stored).not.toMatch(/501234567|eyJ/);

    await allowMicrophone(page);
    await expect.poll(() => page.getByTestId('say-check').textContent(), { timeout: 30_000 }).toBe('We can hear you.');
    expect(Number(await page.getByTestId('level-meter').getAttribute('data-peak'))).toBeGreaterThan(10);
    expect(await page.locator('#mic-device option').count()).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.getByTestId('conn-check').textContent()).toBe('Connected to the interview server.');
    await page.getByRole('button', { name: 'Play a test sound' }).click();
    await page.getByRole('button', { name: 'I heard it' }).click();
    expect(await checkAtBothSizes(page, 'prepare')).toEqual([]);

    expect(notFound).toEqual([]);
    await page.getByRole('button', { name: 'Start the interview' }).click();
    await expect
      .poll(() => page.getByTestId('agent-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('waiting');
    expect(new URL(page.url()).pathname).toBe('/interview');
    expect(await checkAtBothSizes(page, 'interview-no-agent')).toEqual([]);
    await page.getByRole('button', { name: 'Switch language to Arabic' }).click();
    expect(await checkAtBothSizes(page, 'interview-no-agent-ar')).toEqual([]);
    await page.getByRole('button', { name: 'Switch language to English' }).click();
    const row = await interviewRoom(api.db, interview.id);
    await expect
      .poll(row.identities, { timeout: 30_000 })
      .toEqual([row.candidateIdentity]);

    // A reload forgets the session; the page asks for the phone only and comes back as the same participant,
    // straight to the interview since the microphone is allowed.
    await context.grantPermissions(['microphone'], { origin: api.url });
    await page.reload();
    await page.getByText('Enter your phone number again to rejoin').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/join/${interview.roomCode.slice(0, 4)}-${interview.roomCode.slice(4)}`);
    expect(await page.getByLabel('First name').count()).toBe(0);
    await page.getByLabel('Phone number').fill(typedPhone);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => page.getByTestId('agent-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('waiting');
    await expect
      .poll(row.identities, { timeout: 30_000 })
      .toEqual([row.candidateIdentity]);
    const after = await api.db
      .selectFrom('interviews')
      .select('candidateIdentity')
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(after.candidateIdentity).toBe(row.candidateIdentity);

    // Mute reaches LiveKit: the published microphone track is muted, then live again.
    const micMuted = async () =>
      (await row.rooms.listParticipants(row.roomName))[0]?.tracks.find((t) => t.type === 0)?.muted;
    await expect.poll(micMuted, { timeout: 30_000 }).toBe(false);
    await page.getByRole('button', { name: 'Mute microphone' }).click();
    await page.getByText('Your microphone is muted.').waitFor();
    expect(await page.getByRole('button', { name: 'Unmute microphone' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(micMuted, { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Unmute microphone' }).click();
    await expect.poll(micMuted, { timeout: 30_000 }).toBe(false);

    // A network drop: the page says it is reconnecting, then carries on in the same room.
    await context.setOffline(true);
    await page.getByTestId('reconnecting').waitFor({ timeout: 30_000 });
    await screenshot(page, 'interview-reconnecting-desktop');
    await context.setOffline(false);
    await page.getByTestId('reconnecting').waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(() => page.getByTestId('agent-state').getAttribute('data-state')).toBe('waiting');
    await expect
      .poll(row.identities, { timeout: 30_000 })
      .toEqual([row.candidateIdentity]);

    // Ending asks first; "keep going" keeps the interview, "yes" ends it through the API.
    await page.getByRole('button', { name: 'End interview' }).click();
    await page.getByRole('button', { name: 'Keep going' }).click();
    await page.getByRole('button', { name: 'End interview' }).click();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Yes, end it' }).click();
    await page.getByTestId('done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('done').innerText()).toContain('You ended the interview.');
    expect(await page.getByTestId('done').innerText()).toContain('a person at Gulf Logistics reviews');
    expect(await page.getByTestId('done').innerText()).not.toMatch(/score/i);
    const ended = await api.db
      .selectFrom('interviews')
      .select(['status', 'endReason'])
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(ended).toEqual({ status: 'completed', endReason: 'candidate_ended' });
    expect(await checkAtBothSizes(page, 'done')).toEqual([]);
    expect(await privateStorage(page)).not.toMatch(/501234567|eyJ/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a connection lost for longer than LiveKit retries is rejoined by itself once the browser is online again', async () => {
    const { interview } = await seedInterview(hr, { phone: '+971501234598' });
    const { page, context, errors } = await newPage(browser);
    await page.goto(linkFor(interview));
    await fillJoinForm(page, '050 123 4598');
    await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor();
    await allowMicrophone(page);
    const start = page.getByRole('button', { name: 'Start the interview' });
    await expect.poll(() => start.isEnabled(), { timeout: 30_000 }).toBe(true);
    await start.click();
    const agentState = () => page.getByTestId('agent-state').getAttribute('data-state');
    await expect.poll(agentState, { timeout: 30_000 }).toBe('waiting');
    const row = await interviewRoom(api.db, interview.id);

    // Offline past livekit-client's own reconnect attempts (about 16 s of them): the page says it is rejoining by
    // itself, and keeps trying while the browser stays offline.
    await context.setOffline(true);
    await page.getByTestId('reconnecting').waitFor({ timeout: 30_000 });
    await page.getByTestId('retrying').waitFor({ timeout: 90_000 });
    expect(await page.getByRole('status').first().innerText()).toContain('Reconnecting you to the interview');
    expect(await checkAtBothSizes(page, 'interview-rejoining')).toEqual([]);
    await page.getByRole('button', { name: 'Switch language to Arabic' }).click();
    expect(await checkAtBothSizes(page, 'interview-rejoining-ar')).toEqual([]);
    await page.getByRole('button', { name: 'Switch language to English' }).click();
    expect(await page.getByTestId('retrying').count()).toBe(1);

    // Online again: back in the same room as the same participant, nothing pressed. LiveKit still counts the old
    // connection in until its own timeouts drop it (15–35 s here), and the API refuses the seat until then (409
    // already_connected, asked again every 5 s): the wait is LiveKit's timers, not the machine's speed.
    await context.setOffline(false);
    await expect.poll(agentState, { timeout: 90_000 }).toBe('waiting');
    await expect
      .poll(row.identities, { timeout: 30_000 })
      .toEqual([row.candidateIdentity]);
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('a denied microphone explains how to allow it', async () => {
    const { interview } = await seedInterview(hr, { phone });
    const denying = await launchBrowser({ realPermissionUi: true });
    try {
      const cdp = await denying.newBrowserCDPSession();
      await cdp.send('Browser.setPermission', {
        permission: { name: 'microphone' },
        setting: 'denied',
        origin: api.url,
      });
      const context = await denying.newContext({ viewport: viewports.phone });
      const page = await context.newPage();
      await page.goto(linkFor(interview));
      await fillJoinForm(page);
      await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor();
      await allowMicrophone(page);
      const problem = page.getByTestId('mic-problem');
      await problem.waitFor();
      expect(await problem.innerText()).toContain('Microphone access is blocked.');
      expect(await problem.innerText()).toContain('set Microphone to Allow');
      expect(await page.getByRole('button', { name: 'Start the interview' }).isDisabled()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'prepare-mic-denied-phone');
    } finally {
      await denying.close();
    }
  });
});
