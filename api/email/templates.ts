import type { EmailLocale } from '../../shared/db/schema.ts';
import type { CandidateCancelReason } from '../interviews/candidate-end-reason.ts';
import { formatForHumans } from '../scheduling/slot-times.ts';

// E-mail templates, in English and Arabic. Plain functions over a typed context: no template engine, and every
// value that reaches the HTML goes through escapeHtml.

export type EmailKind = 'invitation' | 'update' | 'cancellation' | 'reminder' | 'self_schedule';

export interface InterviewEmailContext {
  locale: EmailLocale;
  companyName: string;
  logoUrl: string | null;
  candidateFirstName: string;
  jobTitle: string;
  startsAt: Date;
  endsAt: Date;
  candidateTimezone: string;
  companyTimezone: string;
  durationMinutes: number;
  joinUrl: string;
  linkUrl: string;
  roomCode: string;
  /** For reminders: minutes before the start. */
  minutesBefore?: number;
  /** For cancellations: who cancelled, as the candidate is told (never the company's own words). */
  cancelReason?: CandidateCancelReason;
  /** For self-scheduling invitations: the page where the candidate picks a slot. */
  scheduleUrl?: string;
  scheduleExpiresAt?: Date;
  /** For a booking the candidate made: the page where they can move or cancel it. */
  manageUrl?: string | undefined;
  /**
   * For an interview whose candidate chooses its language: the languages offered, the one it starts in first. The
   * e-mail says in each of them that the choice is made on the link.
   */
  languageChoices?: string[];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function when(ctx: InterviewEmailContext, locale: string) {
  return {
    candidate: `${formatForHumans(ctx.startsAt, ctx.candidateTimezone, locale)} (${ctx.candidateTimezone})`,
    company: `${formatForHumans(ctx.startsAt, ctx.companyTimezone, locale)} (${ctx.companyTimezone})`,
  };
}

function reminderLead(minutes: number, locale: EmailLocale): string {
  if (locale === 'ar') return minutes >= 60 && minutes % 60 === 0 ? `${minutes / 60} ساعة` : `${minutes} دقيقة`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}

interface Strings {
  subject: Record<EmailKind, string>;
  greeting: string;
  intro: Record<EmailKind, string>;
  role: string;
  yourTime: string;
  companyTime: string;
  duration: string;
  link: string;
  code: string;
  codeHelp: string;
  needs: string;
  disclosure: string;
  alternative: string;
  schedule: string;
  chooseBy: string;
  reason: string;
  cancelled: Record<CandidateCancelReason, string>;
  manage: string;
}

function strings(ctx: InterviewEmailContext): Strings {
  const c = ctx.companyName;
  const j = ctx.jobTitle;
  if (ctx.locale === 'ar') {
    return {
      subject: {
        invitation: `مقابلتك لوظيفة ${j} لدى ${c}`,
        update: `تغيّر موعد مقابلتك لوظيفة ${j} لدى ${c}`,
        cancellation: `أُلغيت مقابلتك لوظيفة ${j} لدى ${c}`,
        reminder: `تذكير: مقابلتك لوظيفة ${j} بعد ${reminderLead(ctx.minutesBefore ?? 0, 'ar')}`,
        self_schedule: `اختر موعد مقابلتك لوظيفة ${j} لدى ${c}`,
      },
      greeting: `مرحباً ${ctx.candidateFirstName}،`,
      intro: {
        invitation: `تمت جدولة مقابلتك مع ${c}.`,
        update: `تم تغيير موعد مقابلتك مع ${c}. الرابط السابق لم يعد صالحاً؛ استخدم الرابط أدناه.`,
        cancellation: `تم إلغاء مقابلتك مع ${c}.`,
        reminder: `نذكّرك بمقابلتك مع ${c}.`,
        self_schedule: `تدعوك ${c} إلى اختيار موعد لمقابلتك.`,
      },
      role: 'الوظيفة',
      yourTime: 'الموعد بتوقيتك',
      companyTime: 'الموعد بتوقيت الشركة',
      duration: `المدة: حوالي ${ctx.durationMinutes} دقيقة`,
      link: 'رابط الانضمام',
      code: 'رمز الغرفة',
      codeHelp: `أو افتح ${ctx.joinUrl} وأدخل الرمز`,
      needs: 'ستحتاج إلى: غرفة هادئة، وميكروفون، ومتصفح حديث (Chrome أو Edge أو Firefox أو Safari).',
      disclosure: 'تنبيه: ستُجري هذه المقابلةَ مُحاوِرةٌ صوتية تعمل بالذكاء الاصطناعي، وسيُسجَّل النص وتقيّمه الشركة.',
      alternative: 'إن كنت تفضّل مقابلة مع شخص أو تحتاج إلى ترتيبات خاصة، فردّ على هذه الرسالة وسنرتّب بديلاً.',
      schedule: 'اختر موعداً',
      chooseBy: 'يرجى الاختيار قبل',
      reason: 'السبب',
      cancelled: {
        cancelled_by_company: 'ألغت الشركة هذه المقابلة.',
        cancelled_by_candidate: 'لقد ألغيت هذه المقابلة.',
      },
      manage: 'هل تحتاج إلى موعد آخر؟ يمكنك تغيير الموعد أو إلغاؤه هنا',
    };
  }
  return {
    subject: {
      invitation: `Your interview for ${j} at ${c}`,
      update: `Your interview for ${j} at ${c} has moved`,
      cancellation: `Your interview for ${j} at ${c} is cancelled`,
      reminder: `Reminder: your interview for ${j} starts in ${reminderLead(ctx.minutesBefore ?? 0, 'en')}`,
      self_schedule: `Pick a time for your interview for ${j} at ${c}`,
    },
    greeting: `Hello ${ctx.candidateFirstName},`,
    intro: {
      invitation: `Your interview with ${c} is scheduled.`,
      update: `Your interview with ${c} has a new time. The previous link no longer works; use the one below.`,
      cancellation: `Your interview with ${c} has been cancelled.`,
      reminder: `A reminder of your interview with ${c}.`,
      self_schedule: `${c} invites you to choose a time for your interview.`,
    },
    role: 'Role',
    yourTime: 'Your time',
    companyTime: "Company's time",
    duration: `It takes about ${ctx.durationMinutes} minutes.`,
    link: 'Join link',
    code: 'Room code',
    codeHelp: `or open ${ctx.joinUrl} and type the code`,
    needs: 'You need a quiet room, a microphone and an up-to-date browser (Chrome, Edge, Firefox or Safari).',
    disclosure:
      'Please note: this interview is conducted by an AI voice interviewer. The transcript is recorded and reviewed by the company.',
    alternative:
      'If you would prefer an interview with a person, or need an accommodation, reply to this e-mail and we will arrange an alternative.',
    schedule: 'Choose a time',
    chooseBy: 'Please choose before',
    reason: 'Reason',
    cancelled: {
      cancelled_by_company: 'The company cancelled this interview.',
      cancelled_by_candidate: 'You cancelled this interview.',
    },
    manage: 'Need a different time? Move or cancel it here',
  };
}

/** Each written in its own language, so a candidate who reads only one of them finds it. */
const choiceSentences: Record<string, (languages: string) => string> = {
  en: (languages) => `You can choose the language of your interview when you open the link: ${languages}.`,
  ar: (languages) => `يمكنك اختيار لغة المقابلة عند فتح الرابط: ${languages}.`,
};

/** One line per offered language we have words for, in that language, naming every choice in it. */
function languageChoiceLines(choices: string[]): { lang: string; text: string }[] {
  return choices.flatMap((lang) => {
    const sentence = choiceSentences[lang];
    if (!sentence) return [];
    const names = new Intl.DisplayNames([lang], { type: 'language' });
    const list = new Intl.ListFormat(lang, { type: 'disjunction' }).format(choices.map((c) => names.of(c) ?? c));
    return [{ lang, text: sentence(list) }];
  });
}

export function renderInterviewEmail(kind: EmailKind, ctx: InterviewEmailContext): RenderedEmail {
  const s = strings(ctx);
  const lang = ctx.locale === 'ar' ? 'ar' : 'en';
  const times = when(ctx, ctx.locale === 'ar' ? 'ar' : 'en-GB');
  const lines: string[] = [s.greeting, '', s.intro[kind], '', `${s.role}: ${ctx.jobTitle} — ${ctx.companyName}`];
  const rows: [string, string][] = [[s.role, `${ctx.jobTitle} — ${ctx.companyName}`]];
  if (kind === 'self_schedule') {
    // For this kind startsAt carries the invitation's expiry: the candidate picks the actual time.
    lines.push(`${s.chooseBy}: ${times.candidate}`, '', `${s.schedule}: ${ctx.scheduleUrl}`);
    rows.push([s.chooseBy, times.candidate]);
  } else {
    lines.push(`${s.yourTime}: ${times.candidate}`, `${s.companyTime}: ${times.company}`);
    rows.push([s.yourTime, times.candidate], [s.companyTime, times.company]);
    if (kind === 'cancellation') {
      if (ctx.cancelReason) {
        lines.push(`${s.reason}: ${s.cancelled[ctx.cancelReason]}`);
        rows.push([s.reason, s.cancelled[ctx.cancelReason]]);
      }
    } else {
      lines.push(
        s.duration,
        '',
        `${s.link}: ${ctx.linkUrl}`,
        `${s.code}: ${ctx.roomCode} (${s.codeHelp})`,
        '',
        s.needs,
      );
      if (ctx.manageUrl) lines.push('', `${s.manage}: ${ctx.manageUrl}`);
    }
  }
  const choices = kind === 'cancellation' || kind === 'self_schedule' ? [] : languageChoiceLines(ctx.languageChoices ?? []);
  if (choices.length > 0) lines.push('', ...choices.map((c) => c.text));
  lines.push('', s.disclosure, s.alternative);

  const dir = ctx.locale === 'ar' ? 'rtl' : 'ltr';
  const table = rows
    .map(([k, v]) => `<tr><th align="start">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const action =
    kind === 'self_schedule'
      ? `<p><a href="${escapeHtml(ctx.scheduleUrl ?? '')}">${escapeHtml(s.schedule)}</a></p>`
      : kind === 'cancellation'
        ? ''
        : `<p>${escapeHtml(s.duration)}</p>
<p><a href="${escapeHtml(ctx.linkUrl)}">${escapeHtml(s.link)}</a></p>
<p>${escapeHtml(s.code)}: <strong>${escapeHtml(ctx.roomCode)}</strong> (${escapeHtml(s.codeHelp)})</p>
<p>${escapeHtml(s.needs)}</p>${
            ctx.manageUrl ? `\n<p><a href="${escapeHtml(ctx.manageUrl)}">${escapeHtml(s.manage)}</a></p>` : ''
          }`;
  const html = `<!doctype html>
<html lang="${lang}" dir="${dir}"><body>
${ctx.logoUrl ? `<img src="${escapeHtml(ctx.logoUrl)}" alt="${escapeHtml(ctx.companyName)}" height="40">` : ''}
<p>${escapeHtml(s.greeting)}</p>
<p>${escapeHtml(s.intro[kind])}</p>
<table>${table}</table>
${action}
${choices.map((c) => `<p lang="${c.lang}" dir="${c.lang === 'ar' ? 'rtl' : 'ltr'}">${escapeHtml(c.text)}</p>`).join('\n')}
<p><small>${escapeHtml(s.disclosure)}</small></p>
<p><small>${escapeHtml(s.alternative)}</small></p>
</body></html>`;
  return { subject: s.subject[kind], text: lines.join('\n'), html };
}
