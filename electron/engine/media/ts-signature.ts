/**
 * The stream signature of an MPEG-TS segment, read from its first bytes in-process (no ffprobe):
 * the program's stream types, the H.264/HEVC sequence parameter set (it holds the picture size,
 * profile and frame layout) and the AAC configuration (profile, sample rate, channels). Two
 * segments with different signatures must not share an MP4 part (one sample description per
 * track). Pure: the caller reads the bytes.
 */
const PACKET = 188;

interface Packet {
  pid: number;
  start: boolean;
  payload: Buffer;
}

function* packets(head: Buffer): Generator<Packet> {
  for (let at = 0; at + PACKET <= head.length; at += PACKET) {
    if (head[at] !== 0x47) return;
    const pid = ((head[at + 1] & 0x1f) << 8) | head[at + 2];
    const start = (head[at + 1] & 0x40) !== 0;
    const control = (head[at + 3] >> 4) & 3;
    if ((control & 1) === 0) continue; // no payload
    const offset = 4 + (control & 2 ? 1 + head[at + 4] : 0);
    if (offset >= PACKET) continue;
    yield { pid, start, payload: head.subarray(at + offset, at + PACKET) };
  }
}

/** The first complete PSI section on `pid` (PAT or PMT), without its pointer field. */
function section(head: Buffer, pid: number): Buffer | undefined {
  for (const p of packets(head)) {
    if (p.pid !== pid || !p.start) continue;
    const body = p.payload.subarray(1 + p.payload[0]);
    const length = ((body[1] & 0x0f) << 8) | body[2];
    return body.subarray(0, Math.min(body.length, 3 + length));
  }
  return undefined;
}

function streamsOf(head: Buffer): Array<{ type: number; pid: number }> {
  const pat = section(head, 0);
  if (!pat) return [];
  let pmtPid = -1;
  for (let i = 8; i + 4 <= pat.length - 4; i += 4) {
    const program = (pat[i] << 8) | pat[i + 1];
    if (program !== 0) {
      pmtPid = ((pat[i + 2] & 0x1f) << 8) | pat[i + 3];
      break;
    }
  }
  const pmt = pmtPid >= 0 ? section(head, pmtPid) : undefined;
  if (!pmt) return [];
  const out: Array<{ type: number; pid: number }> = [];
  let i = 12 + (((pmt[10] & 0x0f) << 8) | pmt[11]);
  while (i + 5 <= pmt.length - 4) {
    out.push({ type: pmt[i], pid: ((pmt[i + 1] & 0x1f) << 8) | pmt[i + 2] });
    i += 5 + (((pmt[i + 3] & 0x0f) << 8) | pmt[i + 4]);
  }
  return out;
}

/** The elementary stream bytes of `pid` from its first PES start on (PES headers included). */
function elementary(head: Buffer, pid: number, limit = 64 * 1024): Buffer {
  const parts: Buffer[] = [];
  let started = false;
  let size = 0;
  for (const p of packets(head)) {
    if (p.pid !== pid) continue;
    started ||= p.start;
    if (!started) continue;
    parts.push(p.payload);
    size += p.payload.length;
    if (size >= limit) break;
  }
  return Buffer.concat(parts);
}

/** The first parameter-set NAL unit (H.264 SPS = 7, HEVC SPS = 33), as hex. */
function spsOf(es: Buffer, hevc: boolean): string | undefined {
  for (let i = 0; i + 4 < es.length; i++) {
    if (es[i] !== 0 || es[i + 1] !== 0 || es[i + 2] !== 1) continue;
    const header = es[i + 3];
    if (header & 0x80) continue; // PES start codes and the like
    const type = hevc ? (header >> 1) & 0x3f : header & 0x1f;
    if (type !== (hevc ? 33 : 7)) continue;
    let end = i + 3;
    while (end + 2 < es.length && !(es[end] === 0 && es[end + 1] === 0 && (es[end + 2] === 1 || es[end + 2] === 0))) end++;
    return es.subarray(i + 3, Math.min(end, i + 3 + 64)).toString('hex');
  }
  return undefined;
}

/** AAC ADTS: profile, sample-rate index and channel configuration of the first frame. */
function adtsOf(es: Buffer): string | undefined {
  for (let i = 0; i + 4 < es.length; i++) {
    if (es[i] !== 0xff || (es[i + 1] & 0xf6) !== 0xf0) continue;
    const profile = (es[i + 2] >> 6) & 3;
    const rate = (es[i + 2] >> 2) & 0x0f;
    const channels = ((es[i + 2] & 1) << 2) | ((es[i + 3] >> 6) & 3);
    if (rate > 12) continue;
    return `aac${profile}/${rate}/${channels}`;
  }
  return undefined;
}

/** Undefined when the head holds no program tables (the caller keeps the previous signature). */
export function tsStreamSignature(head: Buffer): string | undefined {
  const streams = streamsOf(head);
  if (streams.length === 0) return undefined;
  const parts: string[] = [];
  for (const s of streams) {
    if (s.type === 0x1b || s.type === 0x24) {
      const sps = spsOf(elementary(head, s.pid), s.type === 0x24);
      if (!sps) return undefined;
      parts.push(`v${s.type.toString(16)}:${sps}`);
    } else if (s.type === 0x0f) {
      parts.push(`a:${adtsOf(elementary(head, s.pid, 4096)) ?? 'aac'}`);
    } else {
      parts.push(`s${s.type.toString(16)}`);
    }
  }
  return parts.join(' ');
}
