import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteTrack,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';

// One process of bench/voice-rooms-per-process.bench.ts: joins each room named on the command line as an interviewer
// ("agent": reads the candidate's audio as the SDK's room input does, 16 kHz in 20 ms frames, and speaks 24 kHz audio
// half of the time through a 200 ms queue, as the SDK's room output does) or as a candidate ("candidate": a 48 kHz
// microphone, always on). It prints "ready" once every room is joined and runs until killed.

const [role, ...roomNames] = process.argv.slice(2);
const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;

async function join(roomName: string, identity: string): Promise<Room> {
  const token = new AccessToken(LIVEKIT_API_KEY, LIVEKIT_API_SECRET, { identity, ttl: 600 });
  token.addGrant({ roomJoin: true, room: roomName });
  const room = new Room();
  await room.connect(LIVEKIT_URL!, await token.toJwt(), { autoSubscribe: true, dynacast: false });
  return room;
}

async function publish(room: Room, sampleRate: number, queueMs: number): Promise<AudioSource> {
  const source = new AudioSource(sampleRate, 1, queueMs);
  const options = new TrackPublishOptions();
  options.source = TrackSource.SOURCE_MICROPHONE;
  await room.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('voice', source), options);
  return source;
}

/** A voice-like test signal: a 180 Hz tone with its harmonics, slowly modulated (speech's loudness changes). */
function voiceFrame(sampleRate: number, ms: number, offset: number): Int16Array {
  const n = (sampleRate * ms) / 1000;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = (offset + i) / sampleRate;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    let v = 0;
    for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * 180 * h * t) / h;
    out[i] = Math.round(4000 * envelope * v);
  }
  return out;
}

// Computed once: the processes' JavaScript should cost what the SDK's does around the audio, not signal synthesis.
const micSecond = Array.from({ length: 100 }, (_, i) => voiceFrame(48000, 10, i * 480));
const speech = Array.from({ length: 200 }, (_, i) => voiceFrame(24000, 20, i * 480));

async function candidate(roomName: string): Promise<void> {
  const room = await join(roomName, 'candidate');
  const source = await publish(room, 48000, 200);
  void (async () => {
    for (let i = 0; ; i++) await source.captureFrame(new AudioFrame(micSecond[i % 100]!, 48000, 1, 480));
  })();
}

async function agent(roomName: string): Promise<void> {
  const room = await join(roomName, 'agent');
  room.on(RoomEvent.TrackSubscribed, (track: RemoteTrack) => {
    if (track.kind !== TrackKind.KIND_AUDIO) return;
    void (async () => {
      let energy = 0;
      for await (const frame of new AudioStream(track, { sampleRate: 16000, numChannels: 1, frameSizeMs: 20 })) {
        for (let i = 0; i < frame.data.length; i += 16) energy += frame.data[i]! * frame.data[i]!;
      }
      return energy;
    })();
  });
  const source = await publish(room, 24000, 200);
  // Speaks 4 s, listens 4 s: the interviewer's share of an interview's time.
  void (async () => {
    for (;;) {
      const started = Date.now();
      for (const data of speech) await source.captureFrame(new AudioFrame(data, 24000, 1, 480));
      await source.waitForPlayout();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 8000 - Date.now())));
    }
  })();
}

await Promise.all(roomNames.map((name) => (role === 'agent' ? agent(name) : candidate(name))));
console.log('ready');
