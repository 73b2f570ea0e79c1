import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  interviewId: string;
  version: number;
  notBefore: Date;
  expiresAt: Date;
}

export type LinkVerdict =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'not_yet_valid' | 'expired'; claims?: LinkClaims };

const prefix = 'v1';

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${prefix}.${payload}`).digest();
}

/** A link token: base64url JSON claims and an HMAC-SHA256 over them. Nothing secret is inside, only the id. */
export function signLink(secret: string, claims: LinkClaims): string {
  const payload = Buffer.from(
    JSON.stringify({
      i: claims.interviewId,
      v: claims.version,
      nbf: Math.floor(claims.notBefore.getTime() / 1000),
      exp: Math.floor(claims.expiresAt.getTime() / 1000),
    }),
  ).toString('base64url');
  return `${prefix}.${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Checks signature first, in constant time, and only then reads the claims. Version is checked by the caller. */
export function verifyLink(secret: string, token: string, now: Date = new Date()): LinkVerdict {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== prefix) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = parts as [string, string, string];
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let raw: { i?: unknown; v?: unknown; nbf?: unknown; exp?: unknown };
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof raw.i !== 'string' || !Number.isInteger(raw.v) || !Number.isInteger(raw.nbf) || !Number.isInteger(raw.exp)) {
    return { ok: false, reason: 'malformed' };
  }
  const claims: LinkClaims = {
    interviewId: raw.i,
    version: raw.v as number,
    notBefore: new Date((raw.nbf as number) * 1000),
    expiresAt: new Date((raw.exp as number) * 1000),
  };
  if (now < claims.notBefore) return { ok: false, reason: 'not_yet_valid', claims };
  if (now > claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}
