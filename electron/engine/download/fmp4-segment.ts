/**
 * fMP4 (CMAF) segments of HEVC/AV1 renditions: the init segment named by `#EXT-X-MAP` is fetched
 * once per VOD, and each fetched media segment is checked before it is trusted. ISO BMFF boxes
 * (ISO/IEC 14496-12): an init segment is `ftyp` + `moov`; a media segment is optional
 * `styp`/`sidx`/`prft`/`emsg` boxes, then `moof` + `mdat` pairs, and its boxes tile the file exactly.
 */
import { open, rename, writeFile } from 'node:fs/promises';
import { describeUrl, fetchWithTimeout, type FetchLike } from '../twitch/http';
import { transient } from '../util/errors';

/** Top-level box types and sizes, read from the headers only; undefined if they do not tile `size`. */
async function topLevelBoxes(path: string, size: number): Promise<string[] | undefined> {
  const file = await open(path, 'r');
  try {
    const types: string[] = [];
    const header = Buffer.alloc(16);
    for (let at = 0; at < size;) {
      const { bytesRead } = await file.read(header, 0, 16, at);
      if (bytesRead < 8) return undefined;
      let boxSize = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (!/^[a-z0-9 ]{4}$/i.test(type)) return undefined;
      if (boxSize === 1) {
        if (bytesRead < 16) return undefined;
        boxSize = Number(header.readBigUInt64BE(8));
      } else if (boxSize === 0) boxSize = size - at; // to the end of the file
      if (boxSize < 8 || at + boxSize > size) return undefined;
      types.push(type);
      at += boxSize;
      if (types.length > 10_000) return undefined;
    }
    return types;
  } finally {
    await file.close();
  }
}

export function looksLikeFmp4Media(types: readonly string[]): boolean {
  const moof = types.indexOf('moof');
  return moof >= 0 && types.indexOf('mdat', moof) > moof && types.slice(0, moof).every((t) => ['styp', 'sidx', 'prft', 'emsg', 'free'].includes(t));
}

export function looksLikeFmp4Init(types: readonly string[]): boolean {
  return types[0] === 'ftyp' && types.includes('moov') && !types.includes('moof');
}

/** Checks a downloaded fMP4 media segment (transient: a CDN hiccup is fetched again on retry). */
export async function checkFmp4Segment(path: string, index: number, size: number): Promise<void> {
  const types = await topLevelBoxes(path, size);
  if (!types || !looksLikeFmp4Media(types)) {
    throw transient('corrupt_segment', `Segment ${index} is not a valid fMP4 media segment (${size} bytes); it will be fetched again.`);
  }
}

/** Fetches the init segment to `path` (written under a temp name, renamed when checked). */
export async function fetchInitSegment(url: string, path: string, opts: { timeoutMs?: number; signal?: AbortSignal; fetchImpl?: FetchLike } = {}): Promise<number> {
  const res = await fetchWithTimeout(url, {}, { timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal, fetchImpl: opts.fetchImpl });
  const body = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw transient(`HTTP_${res.status}`, `The init segment ${describeUrl(url)} answered ${res.status}.`);
  const temp = `${path}.part`;
  await writeFile(temp, body);
  const types = await topLevelBoxes(temp, body.length);
  if (!types || !looksLikeFmp4Init(types)) throw transient('corrupt_init_segment', `The init segment ${describeUrl(url)} is not an fMP4 init segment (${body.length} bytes).`);
  await rename(temp, path);
  return body.length;
}
