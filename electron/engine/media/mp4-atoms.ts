import { open } from 'node:fs/promises';

/** Top-level boxes of an MP4 file, read from their headers only (a few reads, not the file). */
export interface Atom {
  type: string;
  offset: number;
  size: number;
}

export async function readTopLevelAtoms(path: string): Promise<Atom[]> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const atoms: Atom[] = [];
    const head = Buffer.alloc(16);
    let offset = 0;
    while (offset + 8 <= fileSize && atoms.length < 10_000) {
      const { bytesRead } = await fh.read(head, 0, 16, offset);
      if (bytesRead < 8) break;
      let size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (size === 1 && bytesRead >= 16) size = Number(head.readBigUInt64BE(8));
      else if (size === 0) size = fileSize - offset;
      if (size < 8) throw new Error(`${path}: broken MP4 box "${type}" at byte ${offset}`);
      atoms.push({ type, offset, size });
      offset += size;
    }
    return atoms;
  } finally {
    await fh.close();
  }
}

/** True when the index (moov) comes before the media (mdat), as streaming needs. */
export function moovFirst(atoms: readonly Atom[]): boolean {
  const moov = atoms.findIndex((a) => a.type === 'moov');
  const mdat = atoms.findIndex((a) => a.type === 'mdat');
  return moov >= 0 && mdat >= 0 && moov < mdat;
}
