import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { RecordingStoreSettings } from './config.ts';

// One small interface over where recordings live: the local filesystem (the embedded default) or any S3-compatible
// store. The agent puts, the API reads (or hands out a presigned URL) and retention deletes.

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface RecordingStore {
  readonly kind: 'local' | 's3';
  /** Stores a file under `key`, replacing what was there; answers its size. */
  put(key: string, file: string, contentType: string): Promise<{ sizeBytes: number }>;
  /** The object's size, or undefined when there is none. */
  head(key: string): Promise<{ sizeBytes: number } | undefined>;
  /** The object's bytes, or a range of them; undefined when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable | undefined>;
  /** A URL anyone holding it can GET the object with until it expires; undefined for stores that cannot sign. */
  presignedUrl(key: string, ttlSeconds: number, downloadName: string): Promise<string | undefined>;
  /** Removes the object; removing one that is not there is not an error. */
  delete(key: string): Promise<void>;
}

/** Keys are made of ids only (no names, no phone numbers), and never climb out of the store's directory. */
const keyPattern = /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/part-\d{1,4}\.ogg$/;

export function recordingKey(companyId: string, interviewId: string, part: number): string {
  const key = `${companyId}/${interviewId}/part-${part}.ogg`;
  if (!keyPattern.test(key)) throw new Error(`not a recording key: ${key}`);
  return key;
}

function checkKey(key: string): string {
  if (!keyPattern.test(key)) throw new Error(`not a recording key: ${key}`);
  return key;
}

export function createRecordingStore(settings: RecordingStoreSettings): RecordingStore {
  return settings.kind === 'local' ? localStore(settings.dir) : s3Store(settings);
}

function localStore(dir: string): RecordingStore {
  const root = path.resolve(dir);
  const file = (key: string) => path.join(root, checkKey(key));
  return {
    kind: 'local',
    async put(key, source) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      // Copied beside the target and renamed: a reader never sees half a file, and a crash leaves none.
      const partial = `${target}.${process.pid}.partial`;
      await copyFile(source, partial);
      await chmod(partial, 0o600);
      await rename(partial, target);
      return { sizeBytes: (await stat(target)).size };
    },
    async head(key) {
      const s = await stat(file(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      return s ? { sizeBytes: s.size } : undefined;
    },
    async read(key, range) {
      if (!(await this.head(key))) return undefined;
      return createReadStream(file(key), range ? { start: range.start, end: range.end } : {});
    },
    async presignedUrl() {
      return undefined;
    },
    async delete(key) {
      await rm(file(key), { force: true });
    },
  };
}

function s3Store(settings: Extract<RecordingStoreSettings, { kind: 's3' }>): RecordingStore {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const Bucket = settings.bucket;
  const Key = (key: string) => `${settings.prefix}${checkKey(key)}`;
  const missing = (error: unknown) =>
    error instanceof NoSuchKey ||
    error instanceof NotFound ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
  return {
    kind: 's3',
    async put(key, source, contentType) {
      const { size } = await stat(source);
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: Key(key),
          Body: createReadStream(source),
          ContentLength: size,
          ContentType: contentType,
          ...(settings.sse === 'none' ? {} : { ServerSideEncryption: settings.sse }),
          ...(settings.sse === 'aws:kms' && settings.kmsKeyId ? { SSEKMSKeyId: settings.kmsKeyId } : {}),
        }),
      );
      return { sizeBytes: size };
    },
    async head(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: Key(key) }));
        return { sizeBytes: Number(head.ContentLength ?? 0) };
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async read(key, range) {
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket, Key: Key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        );
        return object.Body as Readable;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async presignedUrl(key, ttlSeconds, downloadName) {
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket,
          Key: Key(key),
          ResponseContentType: 'audio/ogg',
          ResponseContentDisposition: `inline; filename="${downloadName}"`,
        }),
        { expiresIn: ttlSeconds },
      );
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: Key(key) }));
    },
  };
}
