import { AudioByteStream, initializeLogger, ipc, mergeFrames, ServerOptions, voice } from '@livekit/agents';
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { testEnv } from '../support/harness.ts';

// The real-room cases connect several participants and wait on LiveKit; a busy machine stretches that well past 30 s.
vi.setConfig({ testTimeout: 120_000 });

// patches/@livekit+agents+*.patch (applied by patch-package after every install): the SDK's audio byte buffer and
// frame merge copy with TypedArray.set instead of spreading into arrays, its room input takes an
// `audioFrameSizeMs` for the participant's native audio stream (bench:voice, agent/README.md), and its room output a
// `remoteSessionEnabled` that keeps the remote session (the agent's instructions and history on request) off the
// room, and it publishes the agent's state one attribute update at a time, and its worker takes a factory for its
// jobs' executors (agent/hosts: several interviews per process). The same frames must come out as before,
// the frame size must reach LiveKit's stream, a participant must get nothing from a session started with the remote
// session off, and the room must end on the agent's last state (unpatched, bursts ended on an older one: 2 runs of 2).

initializeLogger({ pretty: false, level: 'warn' });

/** A fresh room on the test LiveKit server, and a way in for a participant. */
async function liveKitRoom(prefix: string) {
  const env = testEnv();
  const roomName = `${prefix}-${randomBytes(4).toString('hex')}`;
  const rooms = new RoomServiceClient(env.LIVEKIT_URL!.replace(/^ws/, 'http'), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
  await rooms.createRoom({ name: roomName, emptyTimeout: 30 });
  const connect = async (identity: string) => {
    const token = new AccessToken(env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET, { identity, ttl: 120 });
    // An agent's token may set its own attributes (the SDK publishes its state that way).
    token.addGrant({ roomJoin: true, room: roomName, canUpdateOwnMetadata: true });
    const room = new Room();
    await room.connect(env.LIVEKIT_URL!, await token.toJwt(), { autoSubscribe: true, dynacast: false });
    return room;
  };
  return { roomName, rooms, connect };
}

describe('the patched SDK', () => {
  it('takes an executor factory for its process pool and exports what an executor outside it needs', () => {
    // agent/hosts runs jobs through these; test/agent/e2e-hosts.test.ts runs interviews in them end to end.
    const factory = () => {
      throw new Error('not called here');
    };
    const options = new ServerOptions({ agent: 'agent.js', jobExecutorFactory: factory });
    expect(options.jobExecutorFactory).toBe(factory);
    expect(ipc.JobStatus.FAILED).toBeDefined();
    for (const name of ['finalizeSession', 'waitForEntrypointShutdown', 'runShutdownCallbacks', 'validateSessionEndTimeout'] as const) {
      expect(typeof ipc[name], name).toBe('function');
    }
    for (const file of ['dist/ipc/proc_pool.js', 'dist/ipc/proc_pool.cjs']) {
      const source = readFileSync(new URL(`../../node_modules/@livekit/agents/${file}`, import.meta.url), 'utf8');
      expect(source.match(/this\.createExecutor\(\{/g), file).toHaveLength(2);
    }
  });

  it('its audio helpers are the installed ones', () => {
    for (const file of ['dist/audio.js', 'dist/utils.js', 'src/audio.ts', 'src/utils.ts']) {
      const source = readFileSync(new URL(`../../node_modules/@livekit/agents/${file}`, import.meta.url), 'utf8');
      expect(source).not.toMatch(/\[\.\.\.(this\.#buf|data), /);
    }
  });

  it('AudioByteStream cuts written bytes into whole frames in order, keeping the rest for the next write', () => {
    const stream = new AudioByteStream(16000, 1, 4);
    const samples = (from: number, n: number) => new Int16Array(Array.from({ length: n }, (_, i) => from + i));
    expect(stream.write(samples(0, 3))).toEqual([]);
    const frames = stream.write(samples(3, 7));
    expect(frames.map((f) => [...f.data])).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(frames.every((f) => f.samplesPerChannel === 4 && f.sampleRate === 16000)).toBe(true);
    // A view into a larger buffer: only its own bytes are taken.
    const big = samples(100, 10);
    expect(stream.write(big.subarray(2, 4)).map((f) => [...f.data])).toEqual([[8, 9, 102, 103]]);
    expect(stream.flush()).toEqual([]);
  });

  it('mergeFrames joins frames sample for sample', () => {
    const frame = (values: number[]) => new AudioFrame(new Int16Array(values), 16000, 1, values.length);
    const merged = mergeFrames([frame([1, 2]), frame([3]), frame([4, 5, 6])]);
    expect([...merged.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(merged.samplesPerChannel).toBe(6);
    expect(() => mergeFrames([frame([1]), new AudioFrame(new Int16Array(1), 8000, 1, 1)])).toThrow('sample rate');
  });

  it("RoomIO's audioFrameSizeMs sets the size of the frames it reads from a participant in a real LiveKit room", async () => {
    const { roomName, rooms, connect } = await liveKitRoom('sdk-frames');
    const speaker = await connect('speaker');
    const source = new AudioSource(48000, 1, 200);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await speaker.localParticipant!.publishTrack(LocalAudioTrack.createAudioTrack('mic', source), options);
    let speaking = true;
    const tone = new Int16Array(480).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000)));
    const mic = (async () => {
      while (speaking) await source.captureFrame(new AudioFrame(tone, 48000, 1, 480));
    })();

    /** The sizes of the first frames a RoomIO with these input options hands the session. */
    const frameSizes = async (inputOptions: { audioFrameSizeMs?: number }) => {
      const listener = await connect(`listener-${inputOptions.audioFrameSizeMs ?? 'default'}`);
      const session = new voice.AgentSession({});
      const io = new voice.RoomIO({
        agentSession: session,
        room: listener,
        inputOptions: { audioSampleRate: 16000, textEnabled: false, ...inputOptions },
        outputOptions: { audioEnabled: false, transcriptionEnabled: false },
      });
      io.start();
      const reader = session.input.audio!.stream.getReader();
      const sizes: string[] = [];
      while (sizes.length < 5) {
        const { value } = await reader.read();
        if (value) sizes.push(`${value.samplesPerChannel}@${value.sampleRate}`);
      }
      reader.releaseLock();
      await io.close();
      await listener.disconnect();
      return sizes;
    };
    try {
      expect(await frameSizes({})).toEqual(Array(5).fill('160@16000'));
      expect(await frameSizes({ audioFrameSizeMs: 20 })).toEqual(Array(5).fill('320@16000'));
    } finally {
      speaking = false;
      await mic;
      await speaker.disconnect();
      await rooms.deleteRoom(roomName);
    }
  });

  it("a session started with remoteSessionEnabled false answers no remote-session request in a real LiveKit room", async () => {
    const { roomName, rooms, connect } = await liveKitRoom('sdk-remote');
    const secret = 'Notes from the hiring team: probe the gap in 2021.';
    /** What a participant gets back when it asks the agent for its info over the SDK's own remote-session client. */
    const askAgentInfo = async (outputOptions: { remoteSessionEnabled?: boolean }) => {
      const agentRoom = await connect('agent');
      const session = new voice.AgentSession({});
      await session.start({
        agent: new voice.Agent({ instructions: secret }),
        room: agentRoom,
        inputOptions: { audioEnabled: false, textEnabled: false },
        outputOptions: { audioEnabled: false, transcriptionEnabled: false, ...outputOptions },
      });
      const candidate = await connect(`candidate-${outputOptions.remoteSessionEnabled ?? 'default'}`);
      // The client finds the agent through a room input's linked participant: only that field is read.
      const client = new voice.RemoteSession(
        new voice.RoomSessionTransport(candidate, { linkedParticipant: { identity: 'agent' } } as unknown as voice.RoomIO),
      );
      await client.start();
      try {
        const answer = client.fetchAgentInfo().then((info) => info.instructions);
        // The control waits for its answer however busy the machine is (the test's own timeout bounds it); the
        // patched session is given 5 s of silence, which the control's answer (milliseconds) shows is ample.
        if (outputOptions.remoteSessionEnabled !== false) return await answer;
        return await Promise.race([
          answer,
          new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 5000)),
        ]);
      } finally {
        await client.close();
        await session.close();
        await candidate.disconnect();
        await agentRoom.disconnect();
      }
    };
    try {
      // Unpatched behaviour, the control: the instructions go to whoever asks.
      expect(await askAgentInfo({})).toBe(secret);
      expect(await askAgentInfo({ remoteSessionEnabled: false })).toBe('no answer');
    } finally {
      await rooms.deleteRoom(roomName);
    }
  });

  it("the agent's state reaches the room in the order it changed, the last one standing, in a real LiveKit room", async () => {
    const { roomName, rooms, connect } = await liveKitRoom('sdk-state');
    const agentRoom = await connect('agent');
    const watcher = await connect('watcher');
    const session = new voice.AgentSession({});
    const io = new voice.RoomIO({
      agentSession: session,
      room: agentRoom,
      inputOptions: { audioEnabled: false, textEnabled: false },
      outputOptions: { audioEnabled: false, transcriptionEnabled: false },
    });
    io.start();
    const seen = () => watcher.remoteParticipants.get('agent')?.attributes['lk.agent.state'];
    /** The patched RoomIO's own flag: true while an update is in flight or waiting. */
    const publishing = () => (io as unknown as { agentStatePublishing: boolean }).agentStatePublishing;
    try {
      // A reply whose tool ran during its playout goes speaking → thinking → listening within a millisecond; each
      // change is an attribute update of its own. Bursts of such changes: the room must end on the last state every
      // time. Bursts alternate between two orders ending on different states, so the state a burst must end on is
      // never the one the previous burst left (a late watcher cannot pass on a stale value).
      const orders = [
        ['speaking', 'thinking', 'listening'],
        ['listening', 'speaking', 'thinking'],
      ] as const;
      for (let burst = 0; burst < 20; burst++) {
        const order = orders[burst % 2]!;
        let previous: voice.AgentState = orders[(burst + 1) % 2]![2];
        for (const newState of order) {
          session.emit(voice.AgentSessionEventTypes.AgentStateChanged, {
            type: 'agent_state_changed',
            oldState: previous,
            newState,
            createdAt: Date.now(),
          });
          previous = newState;
        }
        // Settled: LiveKit has answered every update the RoomIO sent (setAttributes resolves on its answer), so the
        // server holds its final value; then the other participant sees the same.
        await expect.poll(publishing, { message: `burst ${burst}: updates still in flight` }).toBe(false);
        const [agent] = (await rooms.listParticipants(roomName)).filter((p) => p.identity === 'agent');
        expect(agent?.attributes['lk.agent.state'], `burst ${burst}, on the server`).toBe(previous);
        await expect.poll(seen, { message: `burst ${burst}, seen by another participant` }).toBe(previous);
      }
    } finally {
      await io.close();
      await watcher.disconnect();
      await agentRoom.disconnect();
      await rooms.deleteRoom(roomName);
    }
  });
});
