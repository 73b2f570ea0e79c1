import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L or U/V pairs: a code read aloud or copied from a phone screen survives. */
export const roomCodeAlphabet = '23456789ABCDEFGHJKMNPQRSTWXYZ';
export const roomCodeLength = 8;

export function generateRoomCode(): string {
  let code = '';
  for (let i = 0; i < roomCodeLength; i++) code += roomCodeAlphabet[randomInt(roomCodeAlphabet.length)];
  return code;
}

/** Accepts what people type: any case, with spaces or dashes ("abcd-2345"). Returns null when it cannot be a code. */
export function normalizeRoomCode(input: string): string | null {
  const code = input.replace(/[\s-]+/g, '').toUpperCase();
  if (code.length !== roomCodeLength) return null;
  for (const ch of code) if (!roomCodeAlphabet.includes(ch)) return null;
  return code;
}

/** Shown to people as ABCD-2345, which is easier to read back than eight characters in a row. */
export function formatRoomCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
