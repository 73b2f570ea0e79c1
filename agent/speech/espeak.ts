import { spawn, spawnSync } from 'node:child_process';

// espeak-ng as a speech source that needs no provider: the local mode's voice, and the test emulators' audio.
// It sounds robotic; it is what a plain Debian machine has, and nothing presents it as a provider's voice.

export const espeakSampleRate = 22050;

let available: boolean | undefined;

/** Whether `espeak-ng` can be run here; checked once per process. */
export function espeakAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    available = probe.status === 0;
  }
  return available;
}

/** espeak-ng voice for an interview language such as `en` or `ar`; espeak knows both. */
export function espeakVoice(language: string): string {
  const base = language.toLowerCase().split(/[-_]/)[0] ?? 'en';
  return base === 'en' ? 'en-us' : base;
}

/** Speaks `text` with espeak-ng and returns mono 16-bit PCM at `sampleRate`; `ssml`: the text is SSML (`<break>`). */
export async function synthesizeSpeech(
  text: string,
  options: { sampleRate: number; voice?: string; wordsPerMinute?: number; signal?: AbortSignal; ssml?: boolean },
): Promise<Int16Array> {
  const args = [
    '-v',
    options.voice ?? 'en-us',
    '-s',
    String(options.wordsPerMinute ?? 175),
    ...(options.ssml ? ['-m'] : []),
    '--stdout',
    text,
  ];
  const child = spawn('espeak-ng', args, { stdio: ['ignore', 'pipe', 'ignore'], signal: options.signal });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`espeak-ng exited with ${code}`))));
  });
  const wav = Buffer.concat(chunks);
  const pcm = wavData(wav);
  return resample(pcm, espeakSampleRate, options.sampleRate);
}

/** The samples of a 16-bit mono WAV; espeak writes its stream header with unknown sizes, so walk the chunks. */
function wavData(wav: Buffer): Int16Array {
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === 'data') {
      const start = offset + 8;
      const end = size === 0 || size === 0xffffffff || start + size > wav.length ? wav.length : start + size;
      const bytes = wav.subarray(start, end - ((end - start) % 2));
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('espeak-ng produced no audio data');
}

/** Linear-interpolation resampling; good enough for speech that only machines listen to. */
export function resample(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return input;
  const length = Math.floor((input.length * to) / from);
  const output = new Int16Array(length);
  const ratio = from / to;
  for (let i = 0; i < length; i++) {
    const position = i * ratio;
    const index = Math.floor(position);
    const fraction = position - index;
    const a = input[index] ?? 0;
    const b = input[index + 1] ?? a;
    output[i] = Math.round(a + (b - a) * fraction);
  }
  return output;
}
