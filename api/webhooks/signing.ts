import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64, the form the libraries accept. */
export function generateSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface SigningKeys {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/**
 * The `webhook-signature` header value. During a rotation's grace period it carries both signatures
 * (space-separated, as the spec allows), so consumers still holding the old secret keep verifying.
 */
export function signatureHeader(keys: SigningKeys, msgId: string, timestamp: Date, body: string, now: Date): string {
  const secrets = [keys.secret];
  if (keys.previousSecret && keys.previousSecretExpiresAt && keys.previousSecretExpiresAt > now) {
    secrets.push(keys.previousSecret);
  }
  return secrets.map((s) => new Webhook(s).sign(msgId, timestamp, body)).join(' ');
}
