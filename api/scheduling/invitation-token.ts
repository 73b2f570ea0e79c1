import { createHmac, timingSafeEqual } from 'node:crypto';

// The self-scheduling invitation's token: the invitation id and expiry, signed. Revocation and the booking live in
// the database, so the same token can be rebuilt for every e-mail about the booking it made.

const prefix = 'si1';

function mac(secret: string, payload: string): Buffer {
  // Domain-separated from interview links signed with the same secret: one token type can never pass as the other.
  return createHmac('sha256', secret).update(`schedule-invitation.${prefix}.${payload}`).digest();
}

export function signInvitation(secret: string, invitationId: string, expiresAt: Date): string {
  const payload = Buffer.from(
    JSON.stringify({ i: invitationId, exp: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${prefix}.${payload}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * The invitation id a token of ours names, and whether it is past its expiry (still authentic: a candidate who
 * booked keeps managing that booking with it until the interview starts).
 */
export function verifyInvitation(secret: string, token: string, now: Date): { id: string; expired: boolean } | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== prefix) return null;
  const [, payload, signature] = parts as [string, string, string];
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { i?: unknown; exp?: unknown };
    if (typeof claims.i !== 'string' || !Number.isInteger(claims.exp)) return null;
    return { id: claims.i, expired: now.getTime() > (claims.exp as number) * 1000 };
  } catch {
    return null;
  }
}

/** The self-scheduling page for an invitation: where the candidate books, and later moves or cancels. */
export function invitationUrl(
  settings: { publicBaseUrl: string; secret: string },
  invitationId: string,
  expiresAt: Date,
): string {
  return `${settings.publicBaseUrl}/schedule?invitation=${encodeURIComponent(signInvitation(settings.secret, invitationId, expiresAt))}`;
}
