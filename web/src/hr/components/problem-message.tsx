// A refusal from the API, worded from its problem code in the workspace's language. A validation problem also lists
// the fields it names, with the API's message for each: those name the exact limit that was crossed.
import { ApiError } from '../api.ts';
import { useT } from '../i18n/i18n.tsx';
import type { HrMessageKey } from '../i18n/en.ts';

const worded: Record<string, HrMessageKey> = {
  validation_failed: 'problem.validation_failed',
  not_found: 'problem.not_found',
  conflict: 'problem.conflict',
  forbidden: 'error.forbidden',
  payload_too_large: 'problem.payload_too_large',
  unsupported_media_type: 'problem.unsupported_media_type',
  unreadable_document: 'problem.unreadable_document',
  rate_limited: 'problem.rate_limited',
};

export function ProblemMessage({ error }: { error: unknown }) {
  const { t } = useT();
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  const key = apiError ? worded[apiError.code] : undefined;
  const text = key ? t(key) : apiError && apiError.status < 500 ? t('problem.other') : t('error.unavailable');
  const fields = apiError?.problem?.errors ?? [];
  return (
    <div role="alert" className="hr-problem">
      <p>{text}</p>
      {/* The document's own reason (a scan, a password) says what to do next; it is in the API's words. */}
      {apiError?.code === 'unreadable_document' && apiError.problem?.detail && <p>{apiError.problem.detail}</p>}
      {fields.length > 0 && (
        <ul>
          {fields.map((field) => (
            <li key={field.path}>
              <code>{field.path.replace(/^body\./, '')}</code>: {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
