import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

// Where binaries built or installed for development and tests live: outside the repo, kept between runs.
export const toolsDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'ai-interviewer');
export const livekitVersion = 'v1.13.5';
export const livekitBinary = path.join(toolsDir, `livekit-${livekitVersion}`, 'server');
export const versitygwVersion = 'v1.8.0';
export const versitygwBinary = path.join(toolsDir, `versitygw-${versitygwVersion}`, 'versitygw');

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

/**
 * Returns the versitygw binary (an S3-compatible gateway over a directory, which the recording store's tests run
 * against), building it from its Go module when missing (about 2 minutes, once).
 */
export function ensureVersitygw(log: (line: string) => void = console.error): string {
  if (existsSync(versitygwBinary)) return versitygwBinary;
  const go = spawnSync('go', ['version']);
  if (go.status !== 0) throw new Error(`versitygw not found at ${versitygwBinary} and Go is not installed to build it`);
  log(`Building versitygw ${versitygwVersion} into ${path.dirname(versitygwBinary)} (about 2 minutes, once)...`);
  mkdirSync(path.dirname(versitygwBinary), { recursive: true });
  execFileSync('go', ['install', `github.com/versity/versitygw/cmd/versitygw@${versitygwVersion}`], {
    env: { ...process.env, GOBIN: path.dirname(versitygwBinary) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return versitygwBinary;
}
