import { Document, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { linkFromOutbox, seedUser, signIn } from '../auth/support.ts';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { axeViolations, ensureWebBuilt, launchBrowser } from './support/browser.ts';
import { hrContext, hrScreenshots, hrSignIn } from './support/hr.ts';

// The HR workspace's managing pages in Debian's Chromium against the real API and Postgres: an admin invites a
// recruiter and a reviewer (the invitation e-mails read back from the outbox, their links followed); the recruiter
// creates a job, reads a PDF and a Word résumé into text, corrects it and saves the candidate, creates an interview,
// edits a question of its plan and sends the invitation; the reviewer sees no create button, gets the not-allowed
// page at a create URL, and the API answers 403. axe-core on every page; screenshots at 1440 and 1024 px in English
// and Arabic (test-results/web/hr-*.png).

vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
let browser: Browser;
let key: string;
let admin: { email: string; password: string };
const recruiter = { email: 'rania.recruiter@example.com', password: 'recruiter password 1', name: 'Rania Khalil' };
const reviewer = { email: 'yousef.reviewer@example.com', password: 'reviewer password 1', name: 'Yousef Amin' };
const candidateEmail = 'mariam.saeed@example.com';
let interviewId: string;
let jobId: string;

function pdfResume(lines: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument();
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    for (const line of lines) doc.text(line);
    doc.end();
  });
}

function docxResume(lines: string[]): Promise<Buffer> {
  const doc = new Document({ sections: [{ children: lines.map((line) => new Paragraph({ children: [new TextRun(line)] })) }] });
  return Packer.toBuffer(doc);
}

async function expectNoViolations(page: Page, where: string) {
  expect(await axeViolations(page), `axe on ${where}`).toEqual([]);
}

/** Text as read, without the bidi isolation marks (U+2066–2069) the catalogues put around interpolated words. */
function plain(text: string | null): string {
  return (text ?? '').replace(/[\u2066-\u2069]/g, '');
}

async function heading(page: Page) {
  return plain(await page.getByRole('heading', { level: 1 }).textContent());
}

async function mainText(page: Page) {
  return plain(await page.locator('main').innerText());
}

async function acceptInvitation(email: string, name: string, password: string) {
  const { url } = await linkFromOutbox(api, key, email, 'account.invitation');
  const context = await hrContext(browser);
  const page = await context.newPage();
  await page.goto(url.replace(/^https?:\/\/[^/]+/, api.url));
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('New password').fill(password);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await page.waitForURL(/\/hr\/interviews$/);
  await context.close();
}

beforeAll(async () => {
  ensureWebBuilt();
  api = await startTestApi();
  const company = await seedCompany(api.db, 'Noor Logistics');
  key = company.key;
  admin = await seedUser(api, company.companyId, 'admin');
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

describe('HR workspace: managing pages', () => {
  it('an admin invites a recruiter and a reviewer from Settings; each follows the e-mailed link', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => heading(page)).toBe('Settings');
    const invite = async (who: typeof recruiter, role: 'Recruiter' | 'Reviewer') => {
      const form = page.getByRole('form', { name: 'Invite a colleague' });
      await form.getByLabel('E-mail', { exact: true }).fill(who.email);
      await form.getByLabel('Name (optional)').fill(who.name);
      await form.getByRole('button', { name: /Role/ }).click();
      await page.getByRole('option', { name: role }).click();
      await form.getByRole('button', { name: 'Send the invitation' }).click();
      // The page's text, not a count: a refusal shows in the failure message.
      await expect.poll(() => mainText(page)).toContain(`Invitation sent to ${who.email}.`);
    };
    await invite(recruiter, 'Recruiter');
    await invite(reviewer, 'Reviewer');
    const rows = page.locator('table.hr-table tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.filter({ hasText: reviewer.email }).textContent()).toMatch(/Reviewer.*Invited/);
    await expectNoViolations(page, 'settings: users');
    await hrScreenshots(page, 'settings-users-en');

    await acceptInvitation(recruiter.email, recruiter.name, recruiter.password);
    await acceptInvitation(reviewer.email, reviewer.name, reviewer.password);
    await page.reload();
    await expect.poll(() => rows.filter({ hasText: recruiter.email }).textContent()).toMatch(/Recruiter.*Active/);

    // An API key is shown once, then only its prefix.
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByLabel('What it is for').fill('ATS sync');
    await page.getByRole('button', { name: 'Create the key' }).click();
    await expect.poll(() => mainText(page)).toContain('The key “ATS sync”');
    const shown = await page.locator('#new-key').inputValue();
    expect(shown.length).toBeGreaterThan(20);
    expect(bodyOf(await client(api.url, shown)('GET', '/v1/jobs'), 200).items).toEqual([]);
    await expectNoViolations(page, 'settings: API keys');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the recruiter creates a job, a candidate from a PDF and a Word résumé, an interview; edits the plan and sends the invitation', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, recruiter);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.url });

    // A job with two competencies.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('link', { name: 'New job' }).click();
    await expect.poll(() => heading(page)).toBe('New job');
    await page.getByLabel('Job title').fill('Backend Engineer');
    await page.getByLabel('Description').fill('Builds and runs the ledger and payments services in TypeScript and Postgres.');
    await page.getByLabel('Competency 1', { exact: true }).fill('System design');
    await page.getByLabel('What competency 1 means').fill('Designs robust services');
    await page.getByRole('button', { name: 'Add a competency' }).click();
    await page.getByLabel('Competency 2', { exact: true }).fill('Incident response');
    // Coding: Python, and a phone may take the voice part alone (off by default).
    const voiceOnly = page.getByRole('checkbox', { name: /A phone may take the voice part alone/ });
    expect(await voiceOnly.isChecked()).toBe(false);
    await page.getByRole('button', { name: /Coding language/ }).click();
    await page.getByRole('option', { name: 'Python' }).click();
    // Clicked on its words, as a person does (react-aria keeps the input itself under its label).
    await page.getByText('A phone may take the voice part alone').click();
    await expect.poll(() => voiceOnly.isChecked()).toBe(true);
    await expectNoViolations(page, 'new job');
    await hrScreenshots(page, 'job-new-en');
    await page.getByRole('button', { name: 'Create the job' }).click();
    await expect.poll(() => heading(page)).toBe('Backend Engineer: candidates');
    jobId = page.url().split('/').pop()!;
    const job = bodyOf(await client(api.url, key)('GET', `/v1/jobs/${jobId}`), 200);
    expect(job.competencies.map((c) => c.key)).toEqual(['system_design', 'incident_response']);
    expect([job.codingLanguage, job.codingVoiceOnly]).toEqual(['PYTHON', true]);
    // Read back on the job's page and changed there: saved, then read again after a reload.
    const jobVoiceOnly = page.getByRole('form', { name: 'Coding interviews' }).getByRole('checkbox', { name: /A phone may take/ });
    await expect.poll(() => jobVoiceOnly.isChecked()).toBe(true);
    expect(await page.getByRole('button', { name: /Coding language/ }).textContent()).toContain('Python');
    await page.getByRole('form', { name: 'Coding interviews' }).getByText('A phone may take the voice part alone').click();
    await expect.poll(() => jobVoiceOnly.isChecked()).toBe(false);
    await page.getByRole('form', { name: 'Coding interviews' }).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => mainText(page)).toContain('Saved. The language applies to question plans written from now on, the phone setting to every interview not yet started.');
    expect(bodyOf(await client(api.url, key)('GET', `/v1/jobs/${jobId}`), 200).codingVoiceOnly).toBe(false);
    await page.reload();
    await expect.poll(() => heading(page)).toBe('Backend Engineer: candidates');
    await expect.poll(() => jobVoiceOnly.count()).toBe(1);
    expect(await jobVoiceOnly.isChecked()).toBe(false);
    await expectNoViolations(page, 'job page: coding settings');

    // A candidate: a wrong file type is refused in words before anything is sent; then the PDF's text, then the
    // Word file's, corrected before saving.
    await page.goto(`${api.url}/hr/candidates/new`);
    await expect.poll(() => heading(page)).toBe('New candidate');
    await page.getByLabel('First name').fill('Mariam');
    await page.getByLabel('Last name').fill('Saeed');
    await page.getByLabel('E-mail').fill(candidateEmail);
    await page.getByLabel('Phone').fill('050 123 4567');
    const file = page.getByLabel('Résumé file (PDF or Word)');
    await file.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text') });
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Upload a PDF or a Word (.docx) file.');

    await file.setInputFiles({
      name: 'mariam.pdf',
      mimeType: 'application/pdf',
      buffer: await pdfResume(['Mariam Saeed', 'Senior engineer at Gulf Payments, 2019-2025', 'Rebuilt the settlement ledger in Postgres.']),
    });
    const text = page.getByLabel('Résumé text');
    await expect.poll(() => text.inputValue()).toContain('Rebuilt the settlement ledger in Postgres.');
    expect(await mainText(page)).toMatch(/Read mariam\.pdf: \d+ characters/);

    await file.setInputFiles({
      name: 'mariam.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: await docxResume(['Mariam Saeed', 'Lead engineer at Gulf Paymnts, 2019-2025', 'Ran the on-call rotation for card payments.']),
    });
    await expect.poll(() => text.inputValue()).toContain('Ran the on-call rotation for card payments.');
    expect(await text.inputValue()).not.toContain('settlement ledger');
    // The conversion kept a typo from the file; HR corrects it before saving.
    const corrected = (await text.inputValue()).replace('Gulf Paymnts', 'Gulf Payments');
    await text.fill(corrected);
    await expectNoViolations(page, 'new candidate with résumé text');
    await hrScreenshots(page, 'candidate-new-en');
    await page.getByRole('button', { name: 'Save the candidate' }).click();

    // The new interview form opens with the candidate chosen.
    await page.waitForURL(/\/hr\/interviews\/new\?candidate=/);
    const candidateId = new URL(page.url()).searchParams.get('candidate')!;
    const saved = bodyOf(await client(api.url, key)('GET', `/v1/candidates/${candidateId}`), 200);
    expect(saved.resumeText).toBe(corrected.trim());
    expect(saved.phone).toBe('+971501234567');

    await expect.poll(() => heading(page)).toBe('New interview');
    await expect.poll(() => page.getByRole('button', { name: /Candidate/ }).textContent()).toContain('Mariam Saeed');
    await page.getByRole('button', { name: /Job/ }).click();
    await page.getByRole('option', { name: 'Backend Engineer' }).click();
    await page.getByLabel('Instructions for the interviewer').fill('Focus on the ledger migration.');
    await page.getByRole('button', { name: 'Add a question' }).click();
    await page.getByLabel('Question 1', { exact: true }).fill('Why do you want to join Noor Logistics?');
    await expectNoViolations(page, 'new interview');
    await hrScreenshots(page, 'interview-new-en');
    await page.getByRole('button', { name: 'Create and review the plan' }).click();

    await page.waitForURL(/\/hr\/interviews\/[0-9a-f-]+\/setup$/);
    interviewId = page.url().split('/').at(-2)!;
    await expect.poll(() => heading(page)).toBe('Interview with Mariam Saeed');
    // Created without e-mailing the candidate: the plan is read first.
    const before = bodyOf(await client(api.url, key)('GET', '/v1/email/messages'), 200).items;
    expect(before.filter((m) => m.toAddress === candidateEmail)).toEqual([]);
    const questions = page.locator('.hr-plan-item');
    await expect.poll(() => questions.count()).toBeGreaterThan(1);
    expect(await page.locator('.hr-plan').textContent()).toContain('Why do you want to join Noor Logistics?');

    // Edit the first question in the dialog.
    await page.getByRole('button', { name: 'Edit question 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit question 1' });
    await dialog.getByLabel('Question').fill('Tell me about the ledger you rebuilt at Gulf Payments.');
    await dialog.getByLabel('Minutes').fill('4');
    await expectNoViolations(page, 'plan question dialog');
    await dialog.getByRole('button', { name: 'Save the question' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => questions.first().textContent()).toContain('Tell me about the ledger you rebuilt at Gulf Payments.');
    const plan = bodyOf(await client(api.url, key)('GET', `/v1/interviews/${interviewId}/plan`), 200);
    expect(plan.questions[0]).toMatchObject({
      text: 'Tell me about the ledger you rebuilt at Gulf Payments.',
      timeBudgetSeconds: 240,
      kind: 'custom',
      source: 'hr',
    });

    // The link, copied; then the invitation e-mail.
    const link = bodyOf(await client(api.url, key)('GET', `/v1/interviews/${interviewId}/link`), 200);
    await expect.poll(() => page.getByLabel('The candidate’s link').inputValue()).toBe(link.url);
    await page.getByRole('button', { name: 'Copy the link' }).click();
    await expect.poll(() => page.getByText('Copied.').count()).toBe(1);
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(link.url);
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await expect.poll(() => mainText(page)).toContain(`The invitation is on its way to ${candidateEmail}.`);
    const after = bodyOf(await client(api.url, key)('GET', '/v1/email/messages'), 200).items;
    const invitation = after.find((m) => m.toAddress === candidateEmail && m.kind === 'invitation');
    expect(invitation?.textBody).toContain(link.url);
    await expectNoViolations(page, 'interview setup');
    await hrScreenshots(page, 'setup-en');

    // The job's results list the candidate, not scored yet.
    await page.goto(`${api.url}/hr/jobs/${jobId}`);
    const result = page.locator('table.hr-table tbody tr');
    await expect.poll(() => result.count()).toBe(1);
    expect(await result.first().textContent()).toMatch(/1Mariam Saeed.*Scheduled.*Not scored.*Not scored.*Not scored.*None yet.*Not decided/);
    expect(await page.locator('table.hr-table thead').textContent()).toMatch(/Overall.*System design.*Incident response/);
    await expectNoViolations(page, 'job results');
    await hrScreenshots(page, 'results-en');
    await page.goto(`${api.url}/hr/jobs`);
    await expect.poll(() => page.locator('table.hr-table tbody tr').count()).toBe(1);
    await expectNoViolations(page, 'jobs');
    await hrScreenshots(page, 'jobs-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a reviewer sees no create buttons, gets the not-allowed page at a create URL, and the API answers 403', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, reviewer);
    const nav = page.getByRole('navigation', { name: 'Workspace' });
    await expect.poll(() => nav.getByRole('link').allTextContents()).toEqual(['Interviews', 'Overview', 'Jobs']);
    await nav.getByRole('link', { name: 'Jobs' }).click();
    await expect.poll(() => page.locator('table.hr-table tbody tr').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'New job' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New candidate' }).count()).toBe(0);
    await page.goto(`${api.url}/hr/jobs/${jobId}`);
    await expect.poll(() => page.locator('table.hr-table tbody tr').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'New interview' }).count()).toBe(0);
    for (const path of ['jobs/new', 'candidates/new', 'interviews/new', `interviews/${interviewId}/setup`, 'settings']) {
      await page.goto(`${api.url}/hr/${path}`);
      await expect.poll(() => heading(page), { message: path }).toBe('Not available to your role');
    }
    await expectNoViolations(page, 'not allowed');

    const session = await signIn(api, reviewer.email, reviewer.password);
    const refused = await session.call('POST', '/v1/jobs', { body: { title: 'Sneaky', description: 'Not allowed.' } });
    expectStatus(refused, 403);
    expect(refused.body.code).toBe('forbidden');
    expectStatus(await session.call('POST', `/v1/interviews/${interviewId}/invitation`, { body: {} }), 403);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the overview draws the funnel for the period; the audit log lists what was done, filtered by action', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin);
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect.poll(() => heading(page)).toBe('Overview');
    const funnel = page.getByRole('figure', { name: 'From invitation to decision' });
    await expect.poll(() => funnel.locator('li').first().textContent()).toBe('Invited1');
    expect(await funnel.locator('li').nth(2).textContent()).toBe('Completed0 (0%)');
    await expect.poll(() => page.locator('table.hr-table tbody tr').first().textContent()).toMatch(/^Backend Engineer1000/);
    await expectNoViolations(page, 'overview');
    await hrScreenshots(page, 'overview-en');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await expect.poll(() => heading(page)).toBe('Audit log');
    const rows = page.locator('table.hr-table tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    await page.getByLabel('Action', { exact: true }).fill('interview.*');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.url()).toContain('action=interview.');
    await expect.poll(async () => (await rows.allTextContents()).every((row) => row.includes('interview.'))).toBe(true);
    expect((await rows.allTextContents()).some((row) => row.includes('interview.invitation_sent'))).toBe(true);
    await expectNoViolations(page, 'audit');
    await hrScreenshots(page, 'audit-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reads right to left in Arabic: jobs, results, new candidate, setup, settings, audit', async () => {
    const { context, page, errors } = await hrSignIn(browser, api.url, admin, 'ar');
    await expect.poll(() => page.evaluate<string>('document.documentElement.dir')).toBe('rtl');
    const pages: [string, string, string][] = [
      ['overview', 'نظرة عامة', 'overview-ar'],
      ['jobs', 'الوظائف', 'jobs-ar'],
      [`jobs/${jobId}`, 'Backend Engineer: المرشحون', 'results-ar'],
      ['candidates/new', 'مرشح جديد', 'candidate-new-ar'],
      ['interviews/new', 'مقابلة جديدة', 'interview-new-ar'],
      [`interviews/${interviewId}/setup`, 'مقابلة مع Mariam Saeed', 'setup-ar'],
      ['settings', 'الإعدادات', 'settings-users-ar'],
      ['settings?tab=webhooks', 'الإعدادات', 'settings-webhooks-ar'],
      ['audit', 'سجل التدقيق', 'audit-ar'],
    ];
    for (const [path, title, shot] of pages) {
      await page.goto(`${api.url}/hr/${path}`);
      await expect.poll(() => heading(page), { message: path }).toBe(title);
      await expect.poll(() => page.locator('[aria-busy=true], [role=status]:text("جارٍ التحميل…")').count(), { message: path }).toBe(0);
      await expectNoViolations(page, `${path} (ar)`);
      await hrScreenshots(page, shot);
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});
