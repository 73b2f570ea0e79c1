import { TrackType } from 'livekit-server-sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bodyOf, client, interviewRoom, seedCompany, seedInterview, startTestApi, type TestApi } from '../support/harness.ts';
import { allowMicrophone, axeViolations, ensureWebBuilt, launchBrowser, screenshot, viewports } from './support/browser.ts';

// Issue 18: a candidate whose microphone is blocked (or missing) is offered a typed interview only when the company
// allows it; the interview then publishes no audio. Otherwise the page says plainly that a microphone is needed.

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let browser: Browser;
const phone = '+971501234567';

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  // The real permission UI with the microphone denied for the page's origin: getUserMedia is refused.
  browser = await launchBrowser({ realPermissionUi: true });
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.setPermission', { permission: { name: 'microphone' }, setting: 'denied', origin: api.url });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

async function companyInterview(name: string, allowTypedInterviews: boolean) {
  const { key } = await seedCompany(api.db, name);
  const hr = client(api.url, key);
  expect(bodyOf(await hr('PATCH', '/v1/company', { body: { allowTypedInterviews } }), 200).allowTypedInterviews).toBe(
    allowTypedInterviews,
  );
  const { interview } = await seedInterview(hr, { phone });
  const link = new URL(interview.signedLink.url);
  return { interview, url: `${api.url}${link.pathname}${link.search}` };
}

async function toPrepare(url: string) {
  const context = await browser.newContext({ viewport: viewports.phone });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.getByLabel('Phone number').fill('050 123 4567');
  await page.getByLabel('First name').fill('Layla');
  await page.getByLabel('Last name').fill('Haddad');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Check your microphone and speaker' }).waitFor();
  await allowMicrophone(page);
  await page.getByTestId('mic-problem').waitFor();
  return { context, page, errors };
}

async function switchLanguage(page: Page, to: 'Arabic' | 'English') {
  await page.getByRole('button', { name: `Switch language to ${to}` }).click();
  await expect.poll(() => page.evaluate('document.documentElement.dir')).toBe(to === 'Arabic' ? 'rtl' : 'ltr');
}

describe('typed-only interview', () => {
  it('a company allowing it: the blocked microphone is offered typing, and the interview publishes no audio', async () => {
    const { interview, url } = await companyInterview('Typing Welcome Co', true);
    const { context, page, errors } = await toPrepare(url);
    const typedStart = page.getByRole('button', { name: 'Continue without a microphone (type your answers)' });
    await expect.poll(() => typedStart.isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByRole('button', { name: 'Start the interview' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('mic-needed').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'prepare-typed-offer-en-phone');
    await switchLanguage(page, 'Arabic');
    await page.getByRole('button', { name: 'المتابعة دون ميكروفون (اكتب إجاباتك)' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'prepare-typed-offer-ar-phone');
    await switchLanguage(page, 'English');

    await typedStart.click();
    await page.getByTestId('typed-only').waitFor();
    expect(new URL(page.url()).pathname).toBe('/interview');
    expect(await page.getByLabel('Your answer').count()).toBe(1);
    // Nothing to mute: no microphone was asked for.
    expect(await page.getByRole('button', { name: /^(Mute|Unmute)/ }).count()).toBe(0);

    const row = await interviewRoom(api.db, interview.id);
    await expect
      .poll(row.identities, { timeout: 30_000 })
      .toEqual([row.candidateIdentity]);
    // A publish would follow the connect at once; a few seconds in the room still show no track of any kind.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const [candidate] = await row.rooms.listParticipants(row.roomName);
    expect(candidate?.tracks.filter((t) => t.type === TrackType.AUDIO)).toEqual([]);
    expect(candidate?.tracks).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'interview-typed-only-en-phone');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a company not allowing it: no typing offer, the page says a microphone is needed', async () => {
    const { url } = await companyInterview('Voice Only Co', false);
    const { context, page, errors } = await toPrepare(url);
    const problem = page.getByTestId('mic-problem');
    expect(await problem.innerText()).toContain('Microphone access is blocked.');
    expect(await problem.innerText()).toContain('set Microphone to Allow');
    expect(await problem.innerText()).toContain('This interview needs a microphone');
    await expect.poll(() => page.getByTestId('conn-check').innerText(), { timeout: 30_000 }).not.toContain('Checking');
    expect(await page.getByTestId('typed-start').count()).toBe(0);
    expect(await page.getByRole('button', { name: /without a microphone/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start the interview' }).isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'prepare-mic-needed-en-phone');
    await switchLanguage(page, 'Arabic');
    expect(await page.getByTestId('mic-needed').innerText()).toContain('تحتاج هذه المقابلة إلى ميكروفون');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'prepare-mic-needed-ar-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
