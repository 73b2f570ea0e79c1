import { speechFor, type SpeechSettings } from '../../shared/speech-languages.ts';
import { AppError } from '../http/problem.ts';

// The one rule for every path that fixes an interview's language (HR's POST /v1/interviews, availability
// configurations and one-off slots, scheduling invitations, bookings): a language this deployment has no voice for
// is refused when it is chosen, never discovered when the candidate is in the call.

export interface VoiceCheck {
  /** The request field the language came from, e.g. `body.language`. */
  path: string;
  /** Set when the language was not given but inherited (e.g. "the job's language"), to say where it came from. */
  inheritedFrom?: string;
  /**
   * Who reads the refusal. HR gets a 400 naming the field and the offered languages; a candidate booking a slot
   * cannot fix the configuration, so they get a 409 that says so, without the deployment's settings.
   */
  audience?: 'hr' | 'candidate';
}

export function hasInterviewVoice(speech: SpeechSettings, language: string): boolean {
  return speechFor(speech, language) !== undefined;
}

export function requireInterviewVoice(speech: SpeechSettings, language: string, check: VoiceCheck): void {
  if (hasInterviewVoice(speech, language)) return;
  if (check.audience === 'candidate') {
    throw new AppError(
      'invalid_state',
      'This interview cannot be booked online at the moment. Please contact the company that invited you.',
    );
  }
  throw new AppError('validation_failed', `Interviews cannot be held in "${language}" here.`, {
    errors: [
      {
        path: check.path,
        message: `no interviewer voice for "${language}"${check.inheritedFrom ? ` (${check.inheritedFrom})` : ''}; offered: ${speech.languages.join(', ')} (SPEECH_LANGUAGES)`,
      },
    ],
  });
}
