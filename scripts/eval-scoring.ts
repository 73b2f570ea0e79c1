// `npm run eval:scoring`: scores scenarios/ (or --dir) with the real model the API would use: Gemini (needs
// GOOGLE_API_KEY; without it, says so and exits 0, since there is nothing to measure), or an OpenAI-compatible one
// (LLM_PROVIDER or SCORING_PROVIDER=openai, with its endpoint variables: agent/README.md, Bring your own models).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { apiEnvSchema, scoringEnvKeys, scoringSettings } from '../api/config.ts';
import { llmConfigured } from '../api/llm/client.ts';
import { evaluateScenario, loadScenarios } from '../api/scoring/scenario-eval.ts';
import { loadConfigOrExit, parseEnv } from '../shared/env.ts';
import { createLogger } from '../shared/logger.ts';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: path.resolve(import.meta.dirname, '../scenarios') }, model: { type: 'string' } },
});
const configured = loadConfigOrExit(() => scoringSettings(parseEnv(apiEnvSchema.pick(scoringEnvKeys), process.env)));
if (!llmConfigured(configured)) {
  console.log('eval:scoring skipped: set GOOGLE_API_KEY (or LLM_PROVIDER=openai) to score the scenarios with the real model.');
  process.exit(0);
}
const settings = { ...configured, ...(values.model ? { model: values.model } : {}) };
const log = createLogger({ level: 'warn', name: 'eval' });
const results: Awaited<ReturnType<typeof evaluateScenario>>[] = [];
for (const scenario of loadScenarios(values.dir!)) {
  const r = await evaluateScenario(settings, scenario, log);
  results.push(r);
  console.log(`${r.id.padEnd(28)} score ${String(r.overallScore ?? '-').padStart(4)}  ${String(r.recommendation).padEnd(15)} quotes ${r.quotesValid}/${r.quotesReturned} valid`);
}
const score = (id: string) => results.find((r) => r.id.includes(id))?.overallScore ?? null;
const strong = score('strong');
const weak = score('weak');
const returned = results.reduce((n, r) => n + r.quotesReturned, 0);
const valid = results.reduce((n, r) => n + r.quotesValid, 0);
console.log(`strong outranks weak: ${strong !== null && (weak === null || strong > weak) ? 'yes' : 'NO'} (${strong} vs ${weak})`);
console.log(`evidence-quote validity: ${returned ? ((100 * valid) / returned).toFixed(1) : '-'}% (${valid}/${returned})`);
