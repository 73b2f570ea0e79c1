import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../api/config.ts';
import { ConfigError } from '../shared/env.ts';
import { loggedRoute } from '../api/http/middleware.ts';
import { createLogger } from '../shared/logger.ts';
import { testEnv } from './support/harness.ts';

describe('configuration', () => {
  it('names every missing or bad variable', () => {
    const env = testEnv({ PORT: 'eighty', LINK_SIGNING_SECRET: 'short', JOIN_TOKEN_TTL_SECONDS: '3600' });
    delete env.LIVEKIT_URL;
    let error: unknown;
    try {
      loadApiConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    expect(issues).toContain('LIVEKIT_URL is required');
    expect(issues).toContain('PORT');
    expect(issues).toContain('LINK_SIGNING_SECRET: must be at least 32 characters');
    expect(issues).toContain('JOIN_TOKEN_TTL_SECONDS');
  });

  it('treats empty variables as unset, and applies documented defaults', () => {
    const config = loadApiConfig(testEnv({ LIVEKIT_PUBLIC_URL: '', JOIN_WINDOW_BEFORE_MINUTES: '' }));
    expect(config.livekit.publicUrl).toBe(config.livekit.url);
    expect(config.links.windowBeforeMinutes).toBe(15);
    expect(config.links.windowAfterMinutes).toBe(120);
    expect(config.join.tokenTtlSeconds).toBeLessThanOrEqual(900);
    expect(config.join.defaultPhoneRegion).toBe('AE');
  });

  it('stops the API process at start-up with a message naming the variable', () => {
    const env = testEnv();
    delete env.LINK_SIGNING_SECRET;
    const result = spawnSync(process.execPath, ['api/main.ts'], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('LINK_SIGNING_SECRET is required');
  });

  it('names DATABASE_URL when the API is started without a database (npm start sets it to its embedded one)', () => {
    const result = spawnSync(process.execPath, ['api/main.ts'], {
      env: { PATH: process.env.PATH, ...testEnv({ DATABASE_URL: '' }) },
      encoding: 'utf8',
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('DATABASE_URL is required');
  });
});

describe('logs', () => {
  it('never carry phone numbers, tokens or secrets in clear', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info' }, sink);
    log.info(
      {
        phone: '+971501234567',
        candidate: { phoneE164: '+971501234567', name: 'Layla' },
        join: { token: 'eyJhbGciOi.secret.sig' },
        headers: { authorization: 'Bearer ik_secret' },
        secret: 'whsec_abc',
      },
      'join',
    );
    const text = lines.join('');
    for (const secret of ['501234567', 'eyJhbGciOi', 'ik_secret', 'whsec_abc']) expect(text).not.toContain(secret);
    expect(text).toContain('Layla');
    expect(text).toContain('[redacted]');
  });

  it('show a route pattern, or an unmatched path with its link, room code or invitation hidden', () => {
    expect(loggedRoute('/v1/public/rooms/:code/join', '/v1/public/rooms/ABCD2345/join')).toBe(
      '/v1/public/rooms/:code/join',
    );
    expect(loggedRoute(undefined, '/v1/public/links/eyJpIjoi.sig/nope')).toBe('/v1/public/links/:redacted/nope');
    expect(loggedRoute(undefined, '/v1/public/rooms/ABCD2345/x')).toBe('/v1/public/rooms/:redacted/x');
    expect(loggedRoute(undefined, '/v1/public/scheduling/inv_token.sig/x')).toBe('/v1/public/scheduling/:redacted/x');
  });
});
