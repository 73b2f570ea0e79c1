import { ParticipantInfo_Kind } from '@livekit/protocol';
import {
  AccessToken,
  AgentDispatchClient,
  RoomAgentDispatch,
  RoomServiceClient,
  TokenVerifier,
  TrackSource,
  TwirpError,
  type ClaimGrants,
} from 'livekit-server-sdk';

export interface LiveKitSettings {
  url: string;
  apiKey: string;
  apiSecret: string;
  agentName: string;
  emptyTimeoutSeconds: number;
  departureTimeoutSeconds: number;
}

export interface RoomMetadata {
  interviewId: string;
}

export interface CandidateGrant {
  roomName: string;
  identity: string;
  displayName: string;
  ttlSeconds: number;
  interviewId: string;
}

/** The LiveKit operations the API uses, in one place so their options (limits, grants) are decided once. */
export interface LiveKitGateway {
  /** Creates the room (idempotent) and dispatches the interviewer agent to it. */
  openRoom(roomName: string, metadata: RoomMetadata): Promise<void>;
  /** Who is in the room (agents flagged), or null when the room does not exist. */
  participants(roomName: string): Promise<{ identity: string; agent: boolean }[] | null>;
  /** Dispatches the interviewer to an existing room again, after its job died. */
  dispatchAgent(roomName: string, metadata: RoomMetadata): Promise<void>;
  deleteRoom(roomName: string): Promise<void>;
  listRoomNames(): Promise<string[]>;
  candidateToken(grant: CandidateGrant): Promise<{ token: string; expiresAt: Date }>;
  /** Verifies a token this server issued; accepts one expired for up to `toleranceSeconds`. */
  verifyToken(token: string, toleranceSeconds: number): Promise<ClaimGrants>;
}

function isNotFound(error: unknown): boolean {
  return error instanceof TwirpError && (error.status === 404 || error.code === 'not_found');
}

export function createLiveKitGateway(settings: LiveKitSettings): LiveKitGateway {
  const httpUrl = settings.url.replace(/^ws/, 'http');
  const rooms = new RoomServiceClient(httpUrl, settings.apiKey, settings.apiSecret);
  const dispatch = new AgentDispatchClient(httpUrl, settings.apiKey, settings.apiSecret);
  const verifier = new TokenVerifier(settings.apiKey, settings.apiSecret);

  return {
    async openRoom(roomName, metadata) {
      await rooms.createRoom({
        name: roomName,
        emptyTimeout: settings.emptyTimeoutSeconds,
        departureTimeout: settings.departureTimeoutSeconds,
        // Candidate, interviewer agent, and one observer seat (a recorder or a reviewing human).
        maxParticipants: 3,
        metadata: JSON.stringify(metadata),
        // Naming the agent in the room's own configuration makes the dispatch explicit and atomic with the room,
        // and stops LiveKit's automatic dispatch of unnamed workers.
        agents: [new RoomAgentDispatch({ agentName: settings.agentName, metadata: JSON.stringify(metadata) })],
      });
    },

    async participants(roomName) {
      try {
        const participants = await rooms.listParticipants(roomName);
        // LiveKit lists no participants for a room it does not have, rather than saying so: only then is it asked.
        if (participants.length === 0 && (await rooms.listRooms([roomName])).length === 0) return null;
        return participants.map((p) => ({ identity: p.identity, agent: p.kind === ParticipantInfo_Kind.AGENT }));
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async dispatchAgent(roomName, metadata) {
      await dispatch.createDispatch(roomName, settings.agentName, { metadata: JSON.stringify(metadata) });
    },

    async deleteRoom(roomName) {
      try {
        await rooms.deleteRoom(roomName);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    async listRoomNames() {
      return (await rooms.listRooms()).map((r) => r.name);
    },

    async candidateToken(grant) {
      const token = new AccessToken(settings.apiKey, settings.apiSecret, {
        identity: grant.identity,
        name: grant.displayName,
        ttl: grant.ttlSeconds,
        metadata: JSON.stringify({ role: 'candidate', interviewId: grant.interviewId }),
      });
      token.addGrant({
        room: grant.roomName,
        roomJoin: true,
        roomCreate: false,
        roomAdmin: false,
        roomList: false,
        canPublish: true,
        canPublishSources: [TrackSource.MICROPHONE],
        canSubscribe: true,
        // Typed answers travel as text streams (lk.chat), which need data publishing.
        canPublishData: true,
        canUpdateOwnMetadata: false,
      });
      const jwt = await token.toJwt();
      return { token: jwt, expiresAt: new Date(Date.now() + grant.ttlSeconds * 1000) };
    },

    verifyToken(token, toleranceSeconds) {
      return verifier.verify(token, toleranceSeconds);
    },
  };
}
