import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobContext, voice } from '@livekit/agents';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../shared/db/schema.ts';
import { processAlive } from '../shared/process-guards.ts';
import type { RecordingSettings } from '../shared/recordings/config.ts';
import { oggOpusDurationMs } from '../shared/recordings/ogg.ts';
import {
  beginRecordingPart,
  consentCoversRecording,
  markPartDiscarded,
  markPartStored,
  recordingPolicy,
} from '../shared/recordings/repository.ts';
import { createRecordingStore, type RecordingStore } from '../shared/recordings/store.ts';

// Interview audio, recorded by the SDK's own RecorderIO: the candidate (left) and the interviewer (right) as one
// stereo Ogg/Opus file, encoded as it goes by the ffmpeg @livekit/av bundles. The SDK would start it with the
// session, in its per-job temp directory; we start it when the candidate arrives (so the file begins with the
// interview, not with the interviewer's wait) in a spool directory of our own beside a manifest, and put the file
// in the store when the job ends.
//
// Crash safety: ffmpeg writes Ogg pages to disk as it encodes, and is a child process of its own. A job process
// killed outright closes ffmpeg's input, so ffmpeg finishes the file with what it had (all but the last couple of
// seconds the recorder had not handed over yet). The worker's main process looks in the spool directory at start
// and every RECORDINGS_RECOVERY_INTERVAL_MS, and puts in the store whatever a dead job left there.

export interface SpoolManifest {
  recordingId: string;
  interviewId: string;
  companyId: string;
  part: number;
  objectKey: string;
  /** The recording's zero (ms since epoch), the same clock as the transcript's turn times. */
  startedAt: number;
  /** The job process writing it; the file is left alone while it lives. */
  pid: number;
}

export interface RecordingDeps {
  db: Kysely<Database>;
  settings: RecordingSettings;
  log: Logger;
  store?: RecordingStore;
}

export interface InterviewRecording {
  /** What `session.start` gets as `record`: audio only, nothing for LiveKit Cloud. */
  record: false | { audio: true; traces: false; logs: false; transcript: false };
  /** Starts the recording (the candidate is in the room). Never throws: a recording failure must not end an interview. */
  start(session: voice.AgentSession): Promise<void>;
  /** Closes the recorder and puts the file in the store; idempotent. */
  finish(): Promise<void>;
}

const audioFile = 'audio.ogg';

/** Recordings of this process still on their way to the store: the job's database pool closes after them. */
const unfinished = new Set<Promise<void>>();

export async function recordingsFinished(): Promise<void> {
  await Promise.allSettled([...unfinished]);
}
const manifestFile = 'recording.json';

export async function prepareRecording(job: JobContext, deps: RecordingDeps, interviewId: string): Promise<InterviewRecording> {
  const policy = await recordingPolicy(deps.db, interviewId);
  const log = deps.log.child({ interviewId });
  if (!policy?.recorded) return { record: false, start: async () => {}, finish: async () => {} };
  // With no session directory the SDK builds its recorder around the audio in and out, but does not start it.
  job._sessionDirectory = '';
  const store = deps.store ?? createRecordingStore(deps.settings.store);
  let session: voice.AgentSession | undefined;
  let spool: { dir: string; manifest: SpoolManifest } | undefined;
  let finishing: Promise<void> | undefined;
  let finished: () => void = () => {};
  return {
    record: { audio: true, traces: false, logs: false, transcript: false },
    async start(s) {
      if (session) return;
      session = s;
      const done = new Promise<void>((resolve) => (finished = resolve));
      unfinished.add(done);
      void done.then(() => unfinished.delete(done));
      const recorder = s._recorderIO;
      if (!recorder) {
        log.warn('the session has no recorder (no audio in or out); this interview is not recorded');
        return;
      }
      try {
        const dir = path.join(deps.settings.spoolDir, randomUUID());
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await recorder.start(path.join(dir, audioFile));
        const startedAt = recorder.recordingStartedAt ?? Date.now();
        const row = await beginRecordingPart(deps.db, {
          interviewId,
          companyId: policy.companyId,
          store: store.kind,
          startedAt: new Date(startedAt),
        });
        const manifest: SpoolManifest = {
          recordingId: row.id,
          interviewId,
          companyId: policy.companyId,
          part: row.part,
          objectKey: row.objectKey,
          startedAt,
          pid: process.pid,
        };
        await writeFile(path.join(dir, manifestFile), JSON.stringify(manifest), { mode: 0o600 });
        spool = { dir, manifest };
        log.info({ part: row.part }, 'recording');
      } catch (error) {
        log.error({ err: error }, 'recording did not start; the interview goes on unrecorded');
      }
    },
    finish() {
      finishing ??= (async () => {
        if (!session || !spool) return;
        await session._recorderIO?.close().catch((error: unknown) => log.warn({ err: error }, 'recorder close failed'));
        await storeSpooled({ db: deps.db, store, log }, spool.dir, spool.manifest, false);
      })()
        .catch((error: unknown) => log.error({ err: error }, 'recording not stored; the worker will retry'))
        .finally(() => finished());
      return finishing;
    },
  };
}

/** Puts a finished spool file in the store (or discards it without consent) and removes it from the spool. */
async function storeSpooled(
  deps: { db: Kysely<Database>; store: RecordingStore; log: Logger },
  dir: string,
  manifest: SpoolManifest,
  recovered: boolean,
): Promise<'stored' | 'discarded'> {
  const file = path.join(dir, audioFile);
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  const consented = await consentCoversRecording(deps.db, manifest.interviewId);
  const durationMs = size > 0 ? await oggOpusDurationMs(file).catch(() => undefined) : undefined;
  if (!consented || !durationMs) {
    // No consent (declined, or the job ended before the candidate answered the notice), or nothing audible.
    await markPartDiscarded(deps.db, manifest.recordingId);
    await rm(dir, { recursive: true, force: true });
    deps.log.info({ interviewId: manifest.interviewId, part: manifest.part, consented, recovered }, 'recording discarded');
    return 'discarded';
  }
  const { sizeBytes } = await deps.store.put(manifest.objectKey, file, 'audio/ogg');
  const status = await markPartStored(deps.db, manifest.recordingId, { durationMs, sizeBytes, recovered });
  if (status === 'deleted') {
    // The candidate's erasure marked the part deleted (and deleted its object) while this file was on its way.
    await deps.store.delete(manifest.objectKey);
    await rm(dir, { recursive: true, force: true });
    deps.log.info({ interviewId: manifest.interviewId, part: manifest.part, recovered }, 'recording removed: erased meanwhile');
    return 'discarded';
  }
  await rm(dir, { recursive: true, force: true });
  deps.log.info({ interviewId: manifest.interviewId, part: manifest.part, durationMs, sizeBytes, recovered }, 'recording stored');
  return 'stored';
}

/**
 * One pass over the spool directory: every recording whose job process is gone (and whose file has stopped
 * growing, so the orphaned ffmpeg has finished it) goes to the store. Returns what it did, for the log and tests.
 */
export async function recoverSpooledRecordings(
  deps: { db: Kysely<Database>; store: RecordingStore; log: Logger; spoolDir: string },
  options: { quietMs?: number } = {},
): Promise<Array<{ recordingId: string; outcome: 'stored' | 'discarded' }>> {
  const quietMs = options.quietMs ?? 3_000;
  const entries = await readdir(deps.spoolDir, { withFileTypes: true }).catch(() => []);
  const done: Array<{ recordingId: string; outcome: 'stored' | 'discarded' }> = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(deps.spoolDir, entry.name);
    const manifest = await readFile(path.join(dir, manifestFile), 'utf8')
      .then((text) => JSON.parse(text) as SpoolManifest)
      .catch(() => undefined);
    if (!manifest) continue; // a job still starting its recording, or not ours
    if (manifest.pid !== process.pid && processAlive(manifest.pid)) continue;
    const modified = (await stat(path.join(dir, audioFile)).catch(() => undefined))?.mtimeMs ?? 0;
    if (Date.now() - modified < quietMs) continue;
    try {
      done.push({ recordingId: manifest.recordingId, outcome: await storeSpooled(deps, dir, manifest, true) });
    } catch (error) {
      deps.log.warn({ err: error, interviewId: manifest.interviewId }, 'left-over recording not stored yet');
    }
  }
  return done;
}

/** The worker's main process: recover at start, then on an interval. Returns a stop function. */
export function startRecordingRecovery(deps: { db: Kysely<Database>; settings: RecordingSettings; log: Logger }): () => void {
  const store = createRecordingStore(deps.settings.store);
  let running = false;
  const pass = () => {
    if (running) return;
    running = true;
    void recoverSpooledRecordings({ db: deps.db, store, log: deps.log, spoolDir: deps.settings.spoolDir })
      .catch((error: unknown) => deps.log.warn({ err: error }, 'recording recovery pass failed'))
      .finally(() => (running = false));
  };
  pass();
  const timer = setInterval(pass, deps.settings.recoveryIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
