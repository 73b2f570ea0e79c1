import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

// Where binaries built or installed for development and tests live: outside the repo, kept between runs.
export const toolsDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'ai-interviewer');
export const livekitVersion = 'v1.13.5';
export const livekitBinary = path.join(toolsDir, `livekit-${livekitVersion}`, 'server');

/**
 * Returns the LiveKit server binary, building it from its Go module when missing. Later tags carry `replace`
 * directives that `go install` refuses, hence the pin.
 */
export function ensureLivekitServer(log: (line: string) => void = console.error): string {
  if (existsSync(livekitBinary)) return livekitBinary;
  const go = spawnSync('go', ['version']);
  if (go.status !== 0) {
    throw new Error(`LiveKit server not found at ${livekitBinary} and Go is not installed to build it; set LIVEKIT_URL`);
  }
  log(`Building LiveKit server ${livekitVersion} into ${path.dirname(livekitBinary)} (about 2 minutes, once)...`);
  mkdirSync(path.dirname(livekitBinary), { recursive: true });
  execFileSync('go', ['install', `github.com/livekit/livekit-server/cmd/server@${livekitVersion}`], {
    env: { ...process.env, GOBIN: path.dirname(livekitBinary) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return livekitBinary;
}
