import type { Kysely } from 'kysely';
import type { Database, Interview } from '../../shared/db/schema.ts';
import type { SpeechSettings } from '../../shared/speech-languages.ts';
import { hasInterviewVoice } from '../interviews/interview-voice.ts';

// The languages the candidate of a 'candidate'-mode interview may pick on the join page, for its e-mails to offer:
// the company's enabled languages this deployment has a voice for (the join page's own rule), the language it
// starts in first. None for a fixed interview, one whose candidate has chosen already, or a single language.

export async function emailLanguageChoices(
  db: Kysely<Database>,
  speech: SpeechSettings,
  interview: Pick<Interview, 'companyId' | 'language' | 'languageMode' | 'languageChosenAt'>,
): Promise<string[]> {
  if (interview.languageMode !== 'candidate' || interview.languageChosenAt) return [];
  const company = await db
    .selectFrom('companies')
    .select('enabledLanguages')
    .where('id', '=', interview.companyId)
    .executeTakeFirst();
  const offered = (company?.enabledLanguages ?? []).filter((l) => hasInterviewVoice(speech, l));
  if (offered.length < 2) return [];
  return [interview.language, ...offered.filter((l) => l !== interview.language)];
}
