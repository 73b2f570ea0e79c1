// Runs a scenario file against a running stack as a simulated candidate: how HR tries an interview plan before
// sending it to real people, and how a new user sees the product work on one machine.
//
//   npm run simulate -- --scenario scenarios/backend-fintech-strong.json --key <HR API key>
//   npm run simulate -- --scenario my-scenario.json --code ABCD2345 [--text]
//
// With --key it creates the scenario's job, candidate and interview through the HR API first; with --code it joins
// an existing interview (the scenario's phone number must be the candidate's). --text answers by typing in the chat
// instead of speaking (needed when the agent runs in local mode, which has no speech recognition).
// The answers are synthetic (espeak-ng speech of the scenario's lines); nothing here is a real candidate.

import { parseArgs } from 'node:util';
import { espeakVoice } from '../agent/speech/espeak.ts';
import { loadScenario, runCandidate, type Scenario } from '../test/support/candidate-sim.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    api: { type: 'string', default: process.env.API_URL ?? 'http://localhost:3000' },
    key: { type: 'string', default: process.env.HR_API_KEY },
    code: { type: 'string' },
    text: { type: 'boolean', default: false },
    'livekit-url': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help || !values.scenario || (!values.key && !values.code)) {
  process.stdout.write(
    'usage: node scripts/simulate-candidate.ts --scenario <file.json> (--key <HR API key> | --code <room code>) [--api <url>] [--text]\n',
  );
  process.exit(values.help ? 0 : 64);
}

const scenario = loadScenario(values.scenario);
const api = values.api!.replace(/\/$/, '');

async function hr(path: string, body: unknown): Promise<any> {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${values.key}` },
    body: JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function createInterview(s: Scenario): Promise<string> {
  const job = await hr('/v1/jobs', {
    title: s.job.title,
    description: s.job.description,
    codingLanguage: s.job.codingLanguage ?? null,
    competencies: s.job.competencies,
  });
  const candidate = await hr('/v1/candidates', {
    firstName: s.candidate.firstName,
    lastName: s.candidate.lastName,
    phone: s.candidate.phone,
    email: s.candidate.email,
    resumeText: s.candidate.resume ?? null,
  });
  const interview = await hr('/v1/interviews', {
    candidateId: candidate.id,
    jobId: job.id,
    type: s.interview.type,
    maxDurationMinutes: Math.max(5, Math.ceil(s.interview.maxDurationSeconds / 60)),
    language: s.interview.language,
    instructions: s.interview.instructions,
  });
  process.stdout.write(`created interview ${interview.id} (room code ${interview.roomCode})\n`);
  return interview.roomCode as string;
}

const roomCode = values.code ?? (await createInterview(scenario));
const result = await runCandidate({
  apiUrl: api,
  roomCode,
  phone: scenario.candidate.phone,
  firstName: scenario.candidate.firstName,
  lastName: scenario.candidate.lastName,
  answers: scenario.answers,
  mode: values.text ? 'text' : 'voice',
  // The candidate speaks the interview's language (espeak-ng's voice for it).
  voice: espeakVoice(scenario.interview.language),
  ...(values['livekit-url'] ? { livekitUrl: values['livekit-url'] } : {}),
  onEvent: (event) => {
    const line =
      event.type === 'joined'
        ? `joined as ${event.identity}`
        : event.type === 'interviewer'
          ? `INTERVIEWER: ${event.text}`
          : event.type === 'answer'
            ? `CANDIDATE (${event.mode}, simulated): ${event.text}`
            : event.type === 'interviewer_lost'
              ? `(the interviewer ${event.identity} vanished; waiting for another)`
              : event.type === 'interviewer_back'
                ? `(interviewer ${event.identity} joined)`
                : `ended: ${event.reason}`;
    process.stdout.write(`${line}\n`);
  },
});
const answered = result.answers.length;
process.stdout.write(`${answered} of ${scenario.answers.length} answers given; interview ${result.endedBy}\n`);
process.exit(result.endedBy === 'timeout' ? 1 : 0);
