import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { localeFor } from '../lib/schedule-time.ts';

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/**
 * Counts down to the window opening and calls back once it has. The clock is said once, visibly (not announced
 * every second); the sentences say when joining opens and when the interview itself starts, in the browser's time
 * zone, named.
 */
export function Countdown({ until, startsAt, onReached }: { until: string; startsAt?: string; onReached(): void }) {
  const { t, lang } = useI18n();
  const target = Date.parse(until);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (now >= target) {
      onReached();
      return;
    }
    const timer = setTimeout(() => setNow(Date.now()), Math.min(1000, target - now));
    return () => clearTimeout(timer);
  }, [now, target, onReached]);
  const locale = localeFor(lang);
  const at = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(new Date(target));
  const starts = startsAt
    ? new Intl.DateTimeFormat(locale, {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        hour: 'numeric',
        minute: '2-digit',
        timeZoneName: 'long',
      }).format(new Date(startsAt))
    : null;
  return (
    <div className="countdown" data-testid="countdown">
      <p className="countdown-label">{t('join.opensIn')}</p>
      <p className="countdown-clock" aria-hidden="true" dir="ltr">
        {formatDuration(target - now)}
      </p>
      <p role="status">{t('join.opensAt', { time: at })}</p>
      {starts ? <p data-testid="starts-at">{t('join.startsAt', { time: starts })}</p> : null}
    </div>
  );
}
