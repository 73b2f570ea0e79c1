import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getFfmpegPath } from '@livekit/av';

// What the recordings tests share: the ffmpeg the agents SDK bundles (LIVEKIT_FFMPEG_PATH overrides, as in the SDK),
// a short stereo Ogg/Opus file like the recorder writes, and reading a file's stream description and audio back.

export function ffmpegPath(): string {
  const found = process.env.LIVEKIT_FFMPEG_PATH || getFfmpegPath();
  if (!found) throw new Error('no ffmpeg: @livekit/av has no binary for this platform; set LIVEKIT_FFMPEG_PATH');
  return found;
}

/** A stereo 48 kHz Ogg/Opus file, encoded as the recorder does it (s16le in): 440 Hz on the left, 880 Hz on the right. */
export function makeOggOpus(seconds: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'recording-fixture-'));
  const file = path.join(dir, 'audio.ogg');
  const frames = 48_000 * seconds;
  const pcm = new Int16Array(frames * 2);
  for (let i = 0; i < frames; i++) {
    pcm[i * 2] = Math.round(8_000 * Math.sin((2 * Math.PI * 440 * i) / 48_000));
    pcm[i * 2 + 1] = Math.round(8_000 * Math.sin((2 * Math.PI * 880 * i) / 48_000));
  }
  execFileSync(
    ffmpegPath(),
    ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', '48000', '-ac', '2', '-i', 'pipe:0', '-c:a', 'libopus', '-f', 'ogg', file],
    { input: Buffer.from(pcm.buffer) },
  );
  return file;
}

/** What ffmpeg says the file's first stream is (the bundled build has no ffprobe): codec, rate, channel layout. */
export function describeAudio(file: string): { codec: string; sampleRate: number; channels: string; durationMs: number } {
  let text = '';
  try {
    execFileSync(ffmpegPath(), ['-hide_banner', '-i', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // `ffmpeg -i` with no output exits 1 after describing the input on stderr.
    text = String((error as { stderr?: string }).stderr ?? '');
  }
  const stream = /Stream #0:0.*?: Audio: (\w+), (\d+) Hz, (\w+)/.exec(text);
  const duration = /Duration: (\d+):(\d+):(\d+\.\d+)/.exec(text);
  if (!stream || !duration) throw new Error(`not an audio file:\n${text}`);
  return {
    codec: stream[1]!,
    sampleRate: Number(stream[2]),
    channels: stream[3]!,
    durationMs: Math.round((Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3])) * 1000),
  };
}

/** The decoded audio: per channel, the RMS level of every `windowMs` window (0 to 1). */
export function channelLevels(file: string, windowMs = 50): { left: number[]; right: number[] } {
  const pcm = execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 's16le', '-ac', '2', '-ar', '48000', '-'], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  const perWindow = (48_000 * windowMs) / 1000;
  const left: number[] = [];
  const right: number[] = [];
  for (let start = 0; start + perWindow * 2 <= samples.length; start += perWindow * 2) {
    let l = 0;
    let r = 0;
    for (let i = start; i < start + perWindow * 2; i += 2) {
      l += (samples[i]! / 32768) ** 2;
      r += (samples[i + 1]! / 32768) ** 2;
    }
    left.push(Math.sqrt(l / perWindow));
    right.push(Math.sqrt(r / perWindow));
  }
  return { left, right };
}
