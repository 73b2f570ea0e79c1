import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Counts down to the window opening and calls back once it has; the visible clock is not announced every second. */
export function Countdown({ until, onReached }: { until: string; onReached(): void }) {
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
  const at = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(target));
  return (
    <div className="countdown" data-testid="countdown">
      <p className="countdown-clock" aria-hidden="true" dir="ltr">
        {formatDuration(target - now)}
      </p>
      <p>{t('join.opensIn', { time: formatDuration(target - now) })}</p>
      <p role="status">{t('join.opensAt', { time: at })}</p>
    </div>
  );
}
