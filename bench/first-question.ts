// Link opened → the first plan question's first word, in Debian's Chromium against the real stack the browser e2e
// tests use (test/web/endings.e2e.test.ts): the API, Postgres, the LiveKit server, the agent worker process with the
// Deepgram and Gemini emulators. The fake microphone hears silence; the consent is typed on lk.chat, as endings'
// candidate types its answers. Scripted input: every field filled and every button pressed as soon as the page
// allows it. Prints per stage, from the navigation to the signed link (t0):
//   join form usable       the phone field and Continue are there and enabled
//   Prepare passed         "Start the interview" is enabled (microphone allowed, the checks the page requires done)
//   Start pressed          the click on Start
//   greeting starts        the interviewer's first transcript line has a word on the page
//   consent answered       the typed consent is sent (Enter), once the greeting is over and the agent listens
//   reply starts           the interviewer's first line after the consent has a word on the page ("Thank you…")
//   counter shows 1        the question counter reads "Question 1 of N" (`interview.question`, published as the
//                          flow moves, before the question is spoken)
//   first question word    the reply's text on the page first reaches the plan question's opening words (its
//                          text from interview_plan_questions)
// Marked by the transcript, not by the counter or the agent state: the agent's lk.transcription stream is
// synchronised with its audio playout (the SDK sends each word as its audio frames go to the room), so a word
// arrives on the data channel within the WebRTC jitter buffer (~50–100 ms) of being heard, while the counter moves
// before the audio and the state turns 'speaking' at the thanks. The page is sampled every 20 ms. It prints figures;
// it asserts no timing.
//
//   npm run bench:first-question [-- --runs 3]
//
// It runs itself under vitest (the stack helpers take Postgres and LiveKit from test/support/global-setup.ts).
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

if (!process.env.VITEST) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  process.env.BENCH_RUNS = values.runs;
  const { startVitest } = await import('vitest/node');
  const vitest = await startVitest('test', [], {
    config: false,
    root: fileURLToPath(new URL('../', import.meta.url)),
    include: ['bench/first-question.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
    watch: false,
  });
  await vitest.close();
  process.exit(process.exitCode ?? 0);
} else {
  await bench();
}

async function bench() {
  const { afterAll, beforeAll, it } = await import('vitest');
  const { loadScenario } = await import('../test/support/candidate-sim.ts');
  const { seedScenario, startAgentStack } = await import('../test/agent/support/stack.ts');
  const { RoomServiceClient } = await import('livekit-server-sdk');
  const { testEnv } = await import('../test/support/harness.ts');
  const { testLivekit } = await import('../test/support/services.ts');
  const { ensureWebBuilt, launchBrowser, newPage, silenceWav } = await import('../test/web/support/browser.ts');
  type Stack = Awaited<ReturnType<typeof startAgentStack>>;
  type Browser = Awaited<ReturnType<typeof launchBrowser>>;

  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const scenario = loadScenario(new URL('../scenarios/backend-fintech-strong.json', import.meta.url));
  const consent = scenario.answers[0]!;
  const rooms = new RoomServiceClient(
    testEnv().LIVEKIT_URL!.replace(/^ws/, 'http'),
    testLivekit.apiKey,
    testLivekit.apiSecret,
  );
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    ensureWebBuilt();
    // The e2e tests' emulators at their defaults; a long silence prompt so no prompt falls inside a run.
    stack = await startAgentStack({ workerEnv: { SILENCE_PROMPT_SECONDS: '90' } });
    browser = await launchBrowser({ wav: silenceWav(), loop: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  // Watched in the page every 20 ms from the first script on; each mark is the page's Date.now() when its condition
  // first held (Node's clock is the same machine's).
  const watcher = `(() => {
    const seen = new Set();
    const mark = (name, ok) => { if (!seen.has(name) && ok) { seen.add(name); window.__mark(name, Date.now()); } };
    const interviewer = () => [...document.querySelectorAll('[data-testid=transcript] li[data-who=interviewer]')];
    setInterval(() => {
      const phone = document.querySelector('#phone');
      const submit = [...document.querySelectorAll('button[type=submit]')].find((b) => !b.disabled);
      mark('usable', phone && !phone.disabled && submit);
      const start = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Start the interview');
      mark('prepared', start && !start.disabled);
      mark('greeting', interviewer().some((li) => li.textContent.trim()));
      const after = [...document.querySelectorAll('[data-testid=transcript] li[data-who=you] ~ li[data-who=interviewer]')];
      mark('reply', after.some((li) => li.textContent.trim()));
      const reply = after.map((li) => li.textContent).join(' ');
      if (reply !== window.__lastReply) { window.__lastReply = reply; window.__reply(Date.now(), reply); }
      const counter = document.querySelector('[data-testid=question-counter]');
      mark('counter', counter && /^Question 1 of/.test(counter.textContent));
    }, 20);
  })()`;

  interface Run {
    usable: number;
    prepared: number;
    started: number;
    greeting: number;
    consented: number;
    reply: number;
    question: number;
    counter: number;
    line: string;
  }

  async function oneRun(): Promise<Run> {
    const interview = (await seedScenario(stack, scenario, { answers: [] })) as unknown as {
      id: string;
      roomName: string;
      signedLink: { url: string };
    };
    const link = new URL(interview.signedLink.url);
    const { page, context } = await newPage(browser);
    const marks: Record<string, number> = {};
    await page.exposeBinding('__mark', (_source, name: string, at: number) => {
      marks[name] ??= at;
    });
    // Each text the reply to the consent had on the page, and when: the reply thanks the candidate first, and the
    // question's first word is the first text that reaches the question.
    const replies: { at: number; text: string }[] = [];
    await page.exposeBinding('__reply', (_source, at: number, text: string) => {
      replies.push({ at, text });
    });
    await page.addInitScript(watcher);
    const waitMark = async (name: string, timeout = 60_000) => {
      const until = Date.now() + timeout;
      while (marks[name] === undefined) {
        if (Date.now() > until) throw new Error(`no '${name}' within ${timeout} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return marks[name]!;
    };
    try {
      const t0 = Date.now();
      await page.goto(`${stack.api.url}${link.pathname}${link.search}`, { waitUntil: 'commit' });
      await waitMark('usable');
      await page.locator('#phone').fill('050 987 6543');
      await page.locator('#first-name').fill(scenario.candidate.firstName);
      await page.locator('#last-name').fill(scenario.candidate.lastName);
      await page.locator('button[type=submit]').click();
      // Past the microphone step however the page takes it (a button while it is offered, or by itself).
      const allow = page.getByRole('button', { name: 'Allow microphone', disabled: false });
      const until = Date.now() + 60_000;
      while (marks.prepared === undefined) {
        if (Date.now() > until) throw new Error('Start never became enabled');
        // A short click timeout: a button that goes by itself must not hold the loop after Start is enabled.
        if (await allow.isVisible().catch(() => false)) await allow.click({ timeout: 200 }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const started = Date.now();
      await page.getByRole('button', { name: 'Start the interview' }).click();
      await waitMark('greeting');
      // The consent goes in once the greeting (which asks for it) is over and the interviewer listens.
      await page.waitForFunction(
        `document.querySelector('[data-testid=agent-state]')?.dataset.state === 'listening'`,
        undefined,
        { polling: 20, timeout: 60_000 },
      );
      await page.getByLabel('Type your answer instead').fill(consent);
      const consented = Date.now();
      await page.keyboard.press('Enter');
      await waitMark('reply');
      const counter = await waitMark('counter');
      // The whole reply: on the page once the interviewer listens again.
      await page.waitForFunction(
        `document.querySelector('[data-testid=agent-state]')?.dataset.state === 'listening'`,
        undefined,
        { polling: 100, timeout: 120_000 },
      );
      const plan = await stack.api.db
        .selectFrom('interviewPlanQuestions')
        .select('text')
        .where('interviewId', '=', interview.id)
        .orderBy('position')
        .executeTakeFirstOrThrow();
      const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
      // The question's first three words, where the reply first reaches them.
      const opening = words(plan.text).slice(0, 3).join(' ');
      const heard = replies.find((r) => words(r.text).join(' ').includes(opening));
      const line = replies.at(-1)?.text ?? '';
      if (!heard) throw new Error(`the reply never said the plan question's opening "${opening}": ${line}`);
      return {
        usable: marks.usable! - t0,
        prepared: marks.prepared! - t0,
        started: started - t0,
        greeting: marks.greeting! - t0,
        consented: consented - t0,
        reply: marks.reply! - t0,
        question: heard.at - t0,
        counter: counter - t0,
        line,
      };
    } finally {
      await context.close();
      // The interviewer's job would wait out the rejoin grace in its room and weigh on the worker's load (a loaded
      // worker takes no new job): the room goes, the job ends, the next run starts on an idle worker.
      await rooms.deleteRoom(interview.roomName).catch(() => undefined);
    }
  }

  it('link → first question', async () => {
    const results: Run[] = [];
    for (let n = 0; n < runs; n++) {
      const load = () => execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
      const before = load();
      const run = await oneRun();
      results.push(run);
      const stages = Object.entries(run)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${k} ${((v as number) / 1000).toFixed(2)} s`)
        .join(', ');
      console.log(
        `run ${n + 1}: ${stages}; load before ${before}, after ${load()}; the reply to the consent: ${JSON.stringify(run.line.slice(0, 160))}`,
      );
    }
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lines = [
      `link opened → first question's first word, Chromium against the real stack with emulated providers; ${runs} runs, median [each run], from t0 = navigation to the signed link`,
    ];
    const row = (label: string, pick: (r: Run) => number, goal = '') =>
      lines.push(
        `  ${label.padEnd(34)} ${s(median(results.map(pick))).padStart(8)}  [${results.map((r) => s(pick(r))).join(', ')}]${goal ? `  goal ${goal}` : ''}`,
      );
    row('→ join form usable', (r) => r.usable);
    row('→ Prepare passed (Start enabled)', (r) => r.prepared);
    row('→ Start pressed', (r) => r.started);
    row('→ greeting starts', (r) => r.greeting);
    row('→ consent answered (typed)', (r) => r.consented);
    row('→ reply to the consent starts', (r) => r.reply);
    row('→ question counter shows 1', (r) => r.counter);
    row("→ first question's first word", (r) => r.question, '≤ 25 s');
    row('Start → greeting starts', (r) => r.greeting - r.started);
    row('consent → first question word', (r) => r.question - r.consented);
    console.log(lines.join('\n'));
  });
}
