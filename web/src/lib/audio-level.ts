// Input level from a MediaStream, read with an AnalyserNode. The candidate sees it move; the page counts how long
// the level has been over a speech threshold to decide that "say something" passed.

export interface LevelMeter {
  /** 0..1, roughly perceptual (RMS scaled up and clipped). */
  read(): number;
  close(): void;
}

export function levelMeter(stream: MediaStream): LevelMeter {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  // Some browsers start an AudioContext suspended until a gesture; the permission click usually counts as one.
  void context.resume().catch(() => {});
  return {
    read() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      return Math.min(1, Math.sqrt(sum / samples.length) * 4);
    },
    close() {
      source.disconnect();
      void context.close().catch(() => {});
    },
  };
}

/** A short, quiet two-tone chime, synthesised so the page ships no audio file. */
export async function playTestTone(): Promise<void> {
  const context = new AudioContext();
  await context.resume().catch(() => {});
  const gain = context.createGain();
  gain.gain.value = 0.15;
  gain.connect(context.destination);
  const start = context.currentTime;
  for (const [i, frequency] of [523.25, 659.25, 783.99].entries()) {
    const osc = context.createOscillator();
    osc.frequency.value = frequency;
    osc.connect(gain);
    osc.start(start + i * 0.35);
    osc.stop(start + i * 0.35 + 0.3);
  }
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await context.close().catch(() => {});
}
