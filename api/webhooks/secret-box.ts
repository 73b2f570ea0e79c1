import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Endpoint signing secrets must be readable to sign, so they cannot be hashed like API keys. With
// WEBHOOK_SECRET_ENCRYPTION_KEY set they are stored encrypted (AES-256-GCM), so a database dump or backup does not
// hand out every customer's secret. Rows written before the key was set stay readable (plain `whsec_…`).

const prefix = 'enc:v1:';

export interface SecretBox {
  /** The form to store. */
  seal(secret: string): string;
  /** The secret from its stored form; throws when it is encrypted and the key is missing or wrong. */
  open(stored: string): string;
}

export function secretBox(key: string | undefined): SecretBox {
  const k = key ? createHash('sha256').update(key).digest() : undefined;
  return {
    seal(secret) {
      if (!k) return secret;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return prefix + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    },
    open(stored) {
      if (!stored.startsWith(prefix)) return stored;
      if (!k) throw new Error('the endpoint secret is encrypted and WEBHOOK_SECRET_ENCRYPTION_KEY is not set');
      const raw = Buffer.from(stored.slice(prefix.length), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', k, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(
          'the endpoint secret cannot be decrypted: WEBHOOK_SECRET_ENCRYPTION_KEY is not the one it was sealed with',
        );
      }
    },
  };
}
