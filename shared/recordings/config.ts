import { z } from 'zod';
import { booleanFromEnv } from '../env.ts';

// Where interview recordings are kept. Shared by the API (playback, retention) and the agent (which writes them):
// both must name the same store. Without RECORDINGS_S3_BUCKET it is the local filesystem.

export const recordingEnvFields = {
  /** Local store's directory (the default store). */
  RECORDINGS_DIR: z.string().min(1).default('.data/recordings'),
  /** The agent's working directory for recordings being written; what a crash leaves here is uploaded later. */
  RECORDINGS_SPOOL_DIR: z.string().min(1).default('.data/recordings-spool'),
  /** An S3-compatible store instead of the local one. */
  RECORDINGS_S3_BUCKET: z.string().min(3).max(63).optional(),
  RECORDINGS_S3_REGION: z.string().min(1).default('us-east-1'),
  /** The store's endpoint (MinIO, versitygw, R2, ...); unset for AWS itself. */
  RECORDINGS_S3_ENDPOINT: z.url().optional(),
  RECORDINGS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  RECORDINGS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style addressing (bucket in the path), which most self-hosted stores need. */
  RECORDINGS_S3_FORCE_PATH_STYLE: booleanFromEnv.default(true),
  /** Object key prefix inside the bucket. */
  RECORDINGS_S3_PREFIX: z.string().max(200).default('recordings/'),
  /** Server-side encryption asked of the store: AES256 (store-managed keys), aws:kms, or none for stores without it. */
  RECORDINGS_S3_SSE: z.enum(['AES256', 'aws:kms', 'none']).default('AES256'),
  RECORDINGS_S3_KMS_KEY_ID: z.string().min(1).optional(),
  /** Lifetime of a presigned playback URL. */
  RECORDINGS_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(3_600).default(300),
  /** How often the agent worker looks for recordings a crashed job left in the spool directory. */
  RECORDINGS_RECOVERY_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(15_000),
};

export type RecordingEnv = z.infer<z.ZodObject<typeof recordingEnvFields>>;

export type RecordingStoreSettings =
  | { kind: 'local'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      region: string;
      endpoint: string | undefined;
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
      forcePathStyle: boolean;
      prefix: string;
      sse: 'AES256' | 'aws:kms' | 'none';
      kmsKeyId: string | undefined;
    };

export interface RecordingSettings {
  store: RecordingStoreSettings;
  spoolDir: string;
  urlTtlSeconds: number;
  recoveryIntervalMs: number;
}

export function recordingSettings(e: RecordingEnv): RecordingSettings {
  const store: RecordingStoreSettings = e.RECORDINGS_S3_BUCKET
    ? {
        kind: 's3',
        bucket: e.RECORDINGS_S3_BUCKET,
        region: e.RECORDINGS_S3_REGION,
        endpoint: e.RECORDINGS_S3_ENDPOINT,
        credentials:
          e.RECORDINGS_S3_ACCESS_KEY_ID && e.RECORDINGS_S3_SECRET_ACCESS_KEY
            ? { accessKeyId: e.RECORDINGS_S3_ACCESS_KEY_ID, secretAccessKey: e.RECORDINGS_S3_SECRET_ACCESS_KEY }
            : undefined,
        forcePathStyle: e.RECORDINGS_S3_FORCE_PATH_STYLE,
        prefix: e.RECORDINGS_S3_PREFIX,
        sse: e.RECORDINGS_S3_SSE,
        kmsKeyId: e.RECORDINGS_S3_KMS_KEY_ID,
      }
    : { kind: 'local', dir: e.RECORDINGS_DIR };
  return { store, spoolDir: e.RECORDINGS_SPOOL_DIR, urlTtlSeconds: e.RECORDINGS_URL_TTL_SECONDS, recoveryIntervalMs: e.RECORDINGS_RECOVERY_INTERVAL_MS };
}
