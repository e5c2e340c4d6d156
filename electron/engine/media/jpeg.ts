/**
 * A JPEG's picture size from its frame header, read in memory (no ffprobe run per thumbnail).
 * Layout from ITU-T T.81 (JPEG), B.1.1.3 and B.2.2: the file is SOI (FFD8), then marker segments
 * `FF xx`, each but the standalone ones (TEM 01, RSTn D0-D7) followed by a 16-bit length that
 * counts itself; the frame header SOFn (C0-CF except DHT C4, JPG C8, DAC CC) holds
 * P (8 bits), Y = lines (16 bits), X = samples per line (16 bits). FF bytes may pad before a marker.
 */
export function jpegSize(buf: Buffer): { width: number; height: number } | null {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    // SOS (DA) starts the entropy-coded data: no frame header came before it.
    if (marker === 0xd9 || marker === 0xda) return null;
    const length = buf.readUInt16BE(i + 2);
    if (length < 2) return null;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > buf.length) return null;
      const height = buf.readUInt16BE(i + 5);
      const width = buf.readUInt16BE(i + 7);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += 2 + length;
  }
  return null;
}
