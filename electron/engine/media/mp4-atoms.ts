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

/** What the index of a finished part says: enough to verify it without spawning ffprobe. */
export interface Mp4Summary {
  /** Movie duration (mvhd): the longest track, lead-ins included. */
  durationSec: number;
  /** The video track's own media duration (mdhd): the sum of its frames' durations. */
  video: { codec: string; width: number; height: number; durationSec: number } | null;
  audio: { codec: string; durationSec: number } | null;
}

const CONTAINERS = new Set(['trak', 'mdia', 'minf', 'stbl']);
const CODEC_NAMES: Record<string, string> = { avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc', mp4a: 'aac', av01: 'av1' };

function children(buf: Buffer, from: number, to: number): Array<{ type: string; start: number; end: number }> {
  const out: Array<{ type: string; start: number; end: number }> = [];
  let i = from;
  while (i + 8 <= to) {
    let size = buf.readUInt32BE(i);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(i + 8));
      header = 16;
    } else if (size === 0) size = to - i;
    if (size < header || i + size > to) break;
    out.push({ type: buf.toString('latin1', i + 4, i + 8), start: i + header, end: i + size });
    i += size;
  }
  return out;
}

/** Reads the moov box of `path` and summarises duration, codecs and the video's size. */
export async function readMp4Summary(path: string): Promise<Mp4Summary> {
  const atoms = await readTopLevelAtoms(path);
  const moov = atoms.find((a) => a.type === 'moov');
  if (!moov) throw new Error(`${path}: no moov box`);
  if (moov.size > 256 * 1024 * 1024) throw new Error(`${path}: moov box of ${moov.size} bytes is implausible`);
  const fh = await open(path, 'r');
  const buf = Buffer.alloc(moov.size);
  try {
    await fh.read(buf, 0, moov.size, moov.offset);
  } finally {
    await fh.close();
  }
  const summary: Mp4Summary = { durationSec: 0, video: null, audio: null };
  const walk = (from: number, to: number, track: { handler?: string; width?: number; height?: number; codec?: string; mediaSec?: number }) => {
    for (const box of children(buf, from, to)) {
      if (box.type === 'mvhd') {
        const v = buf[box.start];
        const timescale = v === 1 ? buf.readUInt32BE(box.start + 20) : buf.readUInt32BE(box.start + 12);
        const duration = v === 1 ? Number(buf.readBigUInt64BE(box.start + 24)) : buf.readUInt32BE(box.start + 16);
        summary.durationSec = timescale ? duration / timescale : 0;
      } else if (box.type === 'tkhd') {
        const base = box.start + (buf[box.start] === 1 ? 88 : 76);
        track.width = buf.readUInt32BE(base) / 65536;
        track.height = buf.readUInt32BE(base + 4) / 65536;
      } else if (box.type === 'mdhd') {
        const v = buf[box.start];
        const timescale = v === 1 ? buf.readUInt32BE(box.start + 20) : buf.readUInt32BE(box.start + 12);
        const duration = v === 1 ? Number(buf.readBigUInt64BE(box.start + 24)) : buf.readUInt32BE(box.start + 16);
        track.mediaSec = timescale ? duration / timescale : 0;
      } else if (box.type === 'hdlr') {
        track.handler = buf.toString('latin1', box.start + 8, box.start + 12);
      } else if (box.type === 'stsd') {
        track.codec = buf.toString('latin1', box.start + 12, box.start + 16);
      } else if (box.type === 'trak') {
        const t: typeof track = {};
        walk(box.start, box.end, t);
        const codec = CODEC_NAMES[t.codec ?? ''] ?? t.codec ?? '';
        if (t.handler === 'vide' && !summary.video) summary.video = { codec, width: Math.round(t.width ?? 0), height: Math.round(t.height ?? 0), durationSec: t.mediaSec ?? 0 };
        if (t.handler === 'soun' && !summary.audio) summary.audio = { codec, durationSec: t.mediaSec ?? 0 };
      } else if (CONTAINERS.has(box.type)) {
        walk(box.start, box.end, track);
      }
    }
  };
  walk(8, moov.size, {});
  return summary;
}
