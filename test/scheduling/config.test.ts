import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config.ts';
import { ConfigError } from '../../shared/env.ts';
import { testEnv } from '../support/harness.ts';

describe('scheduling settings', () => {
  it('has documented defaults: no SMTP (local outbox), 8-week horizon, reminders 24 h and 15 min before', () => {
    const config = loadApiConfig(testEnv());
    expect(config.email).toMatchObject({ smtpUrl: undefined, workerEnabled: true, maxAttempts: 12 });
    expect(config.scheduling).toEqual({
      horizonWeeks: 8,
      reminderOffsetsMinutes: [1440, 15],
      selfServiceMinNoticeMinutes: 120,
      selfServiceMaxReschedules: 3,
      invitationTtlDays: 14,
    });
  });

  it('parses reminder offsets (largest first, duplicates dropped) and names bad values', () => {
    expect(loadApiConfig(testEnv({ REMINDER_OFFSETS_MINUTES: '15, 60,15' })).scheduling.reminderOffsetsMinutes).toEqual(
      [60, 15],
    );
    let error: unknown;
    try {
      loadApiConfig(testEnv({ REMINDER_OFFSETS_MINUTES: '60,soon', SMTP_URL: 'not a url', SLOT_HORIZON_WEEKS: '0' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toContain('REMINDER_OFFSETS_MINUTES');
    expect(issues).toContain('SMTP_URL');
    expect(issues).toContain('SLOT_HORIZON_WEEKS');
  });
});
