import { createHash, randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { z } from 'zod';

// Passwords of HR users: argon2id with the library's defaults (19 MiB, 2 passes: OWASP's minimum for argon2id).
// A const enum cannot be read at run time here (type stripping), so the value is spelled out and checked by tsc.
const argon2id: Algorithm = 2;

export const minPasswordLength = 10;

/** The one rule for a new password: long enough to resist guessing; an upper bound keeps hashing cheap. */
export const newPasswordSchema = z
  .string()
  .min(minPasswordLength, `must be at least ${minPasswordLength} characters`)
  .max(1024, 'must be at most 1024 characters')
  .meta({ description: `At least ${minPasswordLength} characters` });

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: argon2id });
}

let decoy: Promise<string> | undefined;

/**
 * Checks a password against its hash. Without a hash (no such user, or one still invited) it checks against a decoy,
 * so an unknown address takes as long to refuse as a wrong password and the timing tells nothing.
 */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    decoy ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** A single-use secret for a link or a cookie: 256 random bits, so a fast hash is enough to store it. */
export function newSecretToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSecretToken(token) };
}

export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A password for a generated account (the demo admin, `cli create-user`): 96 random bits, shown once. */
export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}
