import { randomBytes } from 'node:crypto';

// Random bytes drawn a block at a time, as crypto.randomUUID does: one call into the CSPRNG per 256 identities
// instead of one per join.
const blockSize = 12 * 256;
let block = Buffer.alloc(0);
let offset = 0;

/** A new candidate identity for LiveKit: 96 random bits, never derived from the phone or name. */
export function newParticipantIdentity(): string {
  if (offset + 12 > block.length) {
    block = randomBytes(blockSize);
    offset = 0;
  }
  const id = `cand_${block.toString('base64url', offset, offset + 12)}`;
  offset += 12;
  return id;
}
