import type { EmailLocale } from '../../shared/db/schema.ts';
import { escapeHtml, type RenderedEmail } from '../email/templates.ts';
import { formatForHumans } from '../scheduling/slot-times.ts';

// The e-mail that tells HR a candidate asked for another way to be interviewed: in the company's default language,
// the interview's time in the company's time zone (HR's own, not the server's UTC).

export interface AlternativeAlertContext {
  locale: EmailLocale;
  candidateName: string;
  jobTitle: string;
  scheduledStart: Date;
  companyTimezone: string;
  reason: string | null;
  contact: string | null;
  link: string;
}

const strings = {
  en: {
    subject: (name: string) => `${name} asked for another way to be interviewed`,
    asked: (name: string, job: string, when: string) =>
      `${name} asked for another way to be interviewed for ${job} (scheduled ${when}).`,
    reason: 'Their reason',
    contact: 'How they prefer to be contacted',
    unchanged:
      'Nothing was cancelled: the interview stays as it is until someone at the company acts. Choosing this must not count against them.',
    action: 'Open the interview in the workspace, arrange the alternative, and mark the request handled:',
  },
  ar: {
    subject: (name: string) => `طلب ${name} طريقة أخرى لإجراء المقابلة`,
    asked: (name: string, job: string, when: string) =>
      `طلب ${name} طريقة أخرى لإجراء مقابلته لوظيفة ${job} (موعدها ${when}).`,
    reason: 'السبب الذي ذكره',
    contact: 'طريقة التواصل التي يفضّلها',
    unchanged:
      'لم يُلغَ شيء: تبقى المقابلة كما هي إلى أن يتخذ أحد في الشركة إجراءً. ولا يجوز أن يُحتسب هذا الطلب ضده.',
    action: 'افتح المقابلة في مساحة العمل، ورتّب البديل، ثم علّم الطلب بأنه عولج:',
  },
} as const;

export function renderAlternativeAlert(ctx: AlternativeAlertContext): RenderedEmail {
  const s = strings[ctx.locale];
  const when = `${formatForHumans(ctx.scheduledStart, ctx.companyTimezone, ctx.locale === 'ar' ? 'ar' : 'en-GB')} (${ctx.companyTimezone})`;
  const lines = [
    s.asked(ctx.candidateName, ctx.jobTitle, when),
    ...(ctx.reason ? [`${s.reason}: ${ctx.reason}`] : []),
    ...(ctx.contact ? [`${s.contact}: ${ctx.contact}`] : []),
    s.unchanged,
    s.action,
  ];
  const dir = ctx.locale === 'ar' ? 'rtl' : 'ltr';
  const html = `<!doctype html>
<html lang="${ctx.locale}" dir="${dir}"><body>
${lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<p><a href="${escapeHtml(ctx.link)}">${escapeHtml(ctx.link)}</a></p>
</body></html>`;
  return { subject: s.subject(ctx.candidateName), text: [...lines, '', ctx.link, ''].join('\n'), html };
}
