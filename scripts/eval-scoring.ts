// `npm run eval:scoring`: scores scenarios/ (or --dir) with the real Gemini model. Needs GOOGLE_API_KEY;
// without it, says so and exits 0, since there is nothing to measure.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateScenario, loadScenarios } from '../api/scoring/scenario-eval.ts';
import { createLogger } from '../shared/logger.ts';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: path.resolve(import.meta.dirname, '../scenarios') }, model: { type: 'string' } },
});
if (!process.env.GOOGLE_API_KEY) {
  console.log('eval:scoring skipped: set GOOGLE_API_KEY to score the scenarios with the real model.');
  process.exit(0);
}
const settings = {
  googleApiKey: process.env.GOOGLE_API_KEY,
  baseUrl: process.env.GEMINI_BASE_URL,
  model: values.model ?? process.env.SCORING_MODEL ?? 'gemini-2.5-flash',
};
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
