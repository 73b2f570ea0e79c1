import { open } from 'node:fs/promises';

// The length of an Ogg Opus file without decoding it: the last page's granule position counts 48 kHz samples
// from the start, less the encoder's pre-skip (RFC 7845). A file cut short by a crash still ends on a whole page
// (ffmpeg writes pages whole), and that page says how far the audio reached.

const opusRate = 48_000;

export async function oggOpusDurationMs(file: string): Promise<number | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 47) return undefined;
    const head = Buffer.alloc(Math.min(size, 4096));
    await handle.read(head, 0, head.length, 0);
    const opusHead = head.indexOf('OpusHead');
    if (head.subarray(0, 4).toString('latin1') !== 'OggS' || opusHead < 0) return undefined;
    const preSkip = head.readUInt16LE(opusHead + 10);
    // The last page starts within its maximum size (27 + 255 + 255 * 255 bytes) of the end.
    const tailLength = Math.min(size, 27 + 255 + 255 * 255);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    for (let at = tail.lastIndexOf('OggS'); at >= 0; at = tail.lastIndexOf('OggS', at - 1)) {
      if (at + 14 > tail.length) continue;
      const granule = tail.readBigInt64LE(at + 6);
      // -1: a page on which no packet ends; look at the one before.
      if (granule < 0n) continue;
      return Math.max(0, Math.round((Number(granule) - preSkip) / (opusRate / 1000)));
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
