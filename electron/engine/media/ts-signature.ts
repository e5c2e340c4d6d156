/**
 * The stream signature of an MPEG-TS segment, read in-process (no ffprobe): the program's stream
 * types (PMT), each video stream's sequence parameter set (picture size, profile, frame layout)
 * and each AAC stream's configuration (profile, sample rate, channels) from its first ADTS frame.
 * Two segments with different signatures must not share an MP4 part (one sample description per
 * track), and two segments of one stream must get the same signature, or a part is cut for
 * nothing. So the scanner follows the container, not byte patterns: TS packets (ISO/IEC 13818-1
 * 2.4.3), PSI sections (2.4.4), PES packets (2.4.3.6: the header and its timestamps are skipped by
 * PES_header_data_length), then NAL units (H.264/HEVC Annex B) or ADTS frames (ISO/IEC 14496-3
 * 1.A.2) in the elementary stream only. Audio may first appear a megabyte into a segment (a
 * keyframe is written first), so the scanner takes bytes as they come and says when it is done.
 * Pure: the caller reads the bytes.
 */
const PACKET = 188;
/** Elementary-stream bytes looked at per stream before giving up (an SPS or ADTS frame comes first). */
const VIDEO_ES_LIMIT = 512 * 1024;
const AUDIO_ES_LIMIT = 16 * 1024;

type Kind = 'h264' | 'hevc' | 'aac' | 'other';

interface Stream {
  type: number;
  pid: number;
  kind: Kind;
  /** Elementary-stream bytes so far (PES headers stripped); grows by doubling. */
  es: Buffer;
  length: number;
  /** Bytes of the current PES header still to skip (-1: waiting for the first PES start). */
  skip: number;
  /** Raw PES header bytes gathered while the header spans packets. */
  header: number[];
  /** Where the next look for a header starts (bytes before it hold none). */
  scan: number;
  found?: string;
  gaveUp: boolean;
}

/** Reads ISO/IEC 13818-1 PSI section bytes for one PID, across packets. */
class SectionReader {
  private buf: number[] = [];
  private active = false;
  push(start: boolean, payload: Buffer): Buffer | undefined {
    if (start) {
      this.buf = [...payload.subarray(1 + payload[0])];
      this.active = true;
    } else if (this.active) {
      this.buf.push(...payload);
    } else {
      return undefined;
    }
    if (this.buf.length < 3) return undefined;
    const total = 3 + (((this.buf[1] & 0x0f) << 8) | this.buf[2]);
    if (this.buf.length < total) return undefined;
    this.active = false;
    return Buffer.from(this.buf.slice(0, total));
  }
}

function kindOf(type: number): Kind {
  if (type === 0x1b) return 'h264';
  if (type === 0x24) return 'hevc';
  if (type === 0x0f) return 'aac';
  return 'other';
}

/** Feed a segment's bytes in order with `push`; `signature()` once `done` (or at the end). */
export class TsSignatureScanner {
  private carry = Buffer.alloc(0);
  private pmtPid = -1;
  private readonly pat = new SectionReader();
  private readonly pmt = new SectionReader();
  private streams: Stream[] | undefined;
  private byPid = new Map<number, Stream>();
  /** False once the bytes are not a transport stream (lost sync). */
  private valid = true;

  /** True when every stream's parameters are known (or cannot be found): no more bytes are needed. */
  get done(): boolean {
    if (!this.valid) return true;
    return this.streams !== undefined && this.streams.every((s) => s.kind === 'other' || s.found !== undefined || s.gaveUp);
  }

  push(chunk: Buffer): boolean {
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let at = 0;
    for (; at + PACKET <= data.length && !this.done; at += PACKET) this.packet(data.subarray(at, at + PACKET));
    data = data.subarray(at);
    this.carry = this.done ? Buffer.alloc(0) : Buffer.from(data);
    return this.done;
  }

  /** Undefined unless the program tables and every audio/video stream's parameters were seen. */
  signature(): string | undefined {
    if (!this.valid || !this.streams || this.streams.length === 0) return undefined;
    const parts: string[] = [];
    for (const s of this.streams) {
      if (s.kind === 'other') parts.push(`s${s.type.toString(16)}`);
      else if (s.found === undefined)
        return undefined; // e.g. no audio packet yet: the caller keeps the previous key
      else parts.push(s.kind === 'aac' ? `a:${s.found}` : `v${s.type.toString(16)}:${s.found}`);
    }
    return parts.join(' ');
  }

  private packet(p: Buffer): void {
    if (p[0] !== 0x47) {
      this.valid = false;
      return;
    }
    const pid = ((p[1] & 0x1f) << 8) | p[2];
    const start = (p[1] & 0x40) !== 0;
    const control = (p[3] >> 4) & 3;
    if ((control & 1) === 0) return; // adaptation field only
    const offset = 4 + (control & 2 ? 1 + p[4] : 0);
    if (offset >= PACKET) return;
    const payload = p.subarray(offset);
    if (pid === 0 && this.pmtPid < 0) {
      const pat = this.pat.push(start, payload);
      if (pat) this.readPat(pat);
    } else if (pid === this.pmtPid && !this.streams) {
      const pmt = this.pmt.push(start, payload);
      if (pmt) this.readPmt(pmt);
    } else {
      const s = this.byPid.get(pid);
      if (s && s.found === undefined && !s.gaveUp) this.pes(s, start, payload);
    }
  }

  private readPat(pat: Buffer): void {
    for (let i = 8; i + 4 <= pat.length - 4; i += 4) {
      const program = (pat[i] << 8) | pat[i + 1];
      if (program !== 0) {
        this.pmtPid = ((pat[i + 2] & 0x1f) << 8) | pat[i + 3];
        return;
      }
    }
  }

  private readPmt(pmt: Buffer): void {
    const streams: Stream[] = [];
    let i = 12 + (((pmt[10] & 0x0f) << 8) | pmt[11]);
    while (i + 5 <= pmt.length - 4) {
      const type = pmt[i];
      const pid = ((pmt[i + 1] & 0x1f) << 8) | pmt[i + 2];
      streams.push({ type, pid, kind: kindOf(type), es: Buffer.alloc(0), length: 0, skip: -1, header: [], scan: 0, gaveUp: false });
      i += 5 + (((pmt[i + 3] & 0x0f) << 8) | pmt[i + 4]);
    }
    this.streams = streams;
    this.byPid = new Map(streams.map((s) => [s.pid, s]));
  }

  /** Strips PES headers (timestamps live there) and appends the elementary-stream bytes. */
  private pes(s: Stream, start: boolean, payload: Buffer): void {
    let body = payload;
    if (start) {
      s.header = [];
      s.skip = 0;
    }
    if (s.skip < 0) return; // joined mid-PES: wait for a start
    if (s.header.length < 9 || s.skip > 0) {
      if (s.header.length < 9) {
        const need = 9 - s.header.length;
        s.header.push(...body.subarray(0, need));
        body = body.subarray(need);
        if (s.header.length < 9) return;
        if (s.header[0] !== 0 || s.header[1] !== 0 || s.header[2] !== 1) {
          s.skip = -1; // not a PES: ignore until the next start
          return;
        }
        s.skip = s.header[8];
      }
      const n = Math.min(s.skip, body.length);
      s.skip -= n;
      body = body.subarray(n);
      if (s.skip > 0) return;
    }
    this.append(s, body);
    const es = s.es.subarray(0, s.length);
    const look = s.kind === 'aac' ? adtsConfig(es, s.scan) : spsOf(es, s.scan, s.kind === 'hevc');
    s.found = look.found;
    s.scan = look.resume;
    if (s.found === undefined && s.length >= (s.kind === 'aac' ? AUDIO_ES_LIMIT : VIDEO_ES_LIMIT)) s.gaveUp = true;
  }

  private append(s: Stream, body: Buffer): void {
    if (s.length + body.length > s.es.length) {
      const grown = Buffer.alloc(Math.max(4096, 2 * (s.length + body.length)));
      s.es.copy(grown, 0, 0, s.length);
      s.es = grown;
    }
    body.copy(s.es, s.length);
    s.length += body.length;
  }
}

/** What a look found, or where the next look (with more bytes) must start. */
interface Look {
  found?: string;
  resume: number;
}

/** The first complete parameter-set NAL unit (H.264 SPS = 7, HEVC SPS = 33), as hex (64 bytes at most). */
function spsOf(es: Buffer, from: number, hevc: boolean): Look {
  let i = from;
  for (; i + 3 < es.length; i++) {
    if (es[i] !== 0 || es[i + 1] !== 0 || es[i + 2] !== 1) continue;
    const header = es[i + 3];
    const type = hevc ? (header >> 1) & 0x3f : header & 0x1f;
    if (header & 0x80 || type !== (hevc ? 33 : 7)) continue;
    let end = i + 3;
    while (end + 2 < es.length && !(es[end] === 0 && es[end + 1] === 0 && es[end + 2] <= 1)) end++;
    // The NAL unit ends at the next start code; until that arrives, 64 bytes are enough.
    if (end + 2 >= es.length && es.length - (i + 3) < 64) return { resume: i };
    return { found: es.subarray(i + 3, Math.min(end, i + 3 + 64)).toString('hex'), resume: i };
  }
  return { resume: i };
}

interface Adts {
  config: string;
  frameLength: number;
}

/** An ADTS header at `at` (ISO/IEC 14496-3 1.A.2.2.1), or undefined when the bytes are not one. */
function adtsAt(es: Buffer, at: number): Adts | undefined {
  if (at + 7 > es.length) return undefined;
  if (es[at] !== 0xff || (es[at + 1] & 0xf6) !== 0xf0) return undefined; // syncword, layer 00
  const profile = (es[at + 2] >> 6) & 3;
  const rate = (es[at + 2] >> 2) & 0x0f;
  const channels = ((es[at + 2] & 1) << 2) | ((es[at + 3] >> 6) & 3);
  const frameLength = ((es[at + 3] & 3) << 11) | (es[at + 4] << 3) | (es[at + 5] >> 5);
  const headerLength = es[at + 1] & 1 ? 7 : 9;
  if (rate > 12 || frameLength < headerLength) return undefined;
  return { config: `aac${profile}/${rate}/${channels}`, frameLength };
}

/**
 * The configuration of the first ADTS frame that is followed by another frame with the same
 * configuration: a lone sync-like pattern inside audio data is not taken for a header.
 */
function adtsConfig(es: Buffer, from: number): Look {
  let i = from;
  for (; i + 7 <= es.length; i++) {
    const frame = adtsAt(es, i);
    if (!frame) continue;
    const next = i + frame.frameLength;
    if (next + 7 > es.length) return { resume: i }; // wait for the next frame's header
    if (adtsAt(es, next)?.config === frame.config) return { found: frame.config, resume: i };
  }
  return { resume: i };
}

/** Undefined when the bytes hold no program tables or a stream's parameters were not seen. */
export function tsStreamSignature(bytes: Buffer): string | undefined {
  const scanner = new TsSignatureScanner();
  scanner.push(bytes);
  return scanner.signature();
}
