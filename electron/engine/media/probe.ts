import { stat } from 'node:fs/promises';
import { permanent } from '../util/errors';
import { lastLines, runTool } from './run-tool';

/** ffprobe wrapper: what the planner, the builder and Telegram's video attributes need. */
export interface MediaInfo {
  path: string;
  sizeBytes: number;
  durationSec: number;
  /** Timestamp of the first packet; ffmpeg counts output time from here. */
  startSec: number;
  /** Container bit rate in bits per second (0 when ffprobe does not know). */
  bitRate: number;
  formatName: string;
  video: { codec: string; width: number; height: number; fps: number; durationSec: number | null } | null;
  audio: { codec: string; sampleRate: number; channels: number; durationSec: number | null } | null;
}

export interface ProbeOptions {
  /** Resolved once by the caller (util/binaries.ts resolveTools). */
  ffprobePath: string;
  signal?: AbortSignal;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
}

const toolPath = (o: ProbeOptions) => o.ffprobePath;

function rate(text: string | undefined): number {
  const [n, d] = (text ?? '0/0').split('/').map(Number);
  return d ? n / d : Number.isFinite(n) ? n : 0;
}

function num(text: string | undefined): number | null {
  const v = Number(text);
  return text !== undefined && Number.isFinite(v) ? v : null;
}

async function ffprobeJson(path: string, args: string[], options: ProbeOptions): Promise<Record<string, unknown>> {
  const r = await runTool(toolPath(options), ['-v', 'error', '-of', 'json', ...args, path], { signal: options.signal });
  let parsed: Record<string, unknown> | null;
  try {
    parsed = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    parsed = null;
  }
  if (r.code !== 0 || !parsed) {
    throw permanent('unreadable_media', `ffprobe cannot read ${path}: ${lastLines(r.stderrTail) || `exit code ${r.code}`}`);
  }
  return parsed;
}

export async function probeMedia(path: string, options: ProbeOptions): Promise<MediaInfo> {
  const size = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw permanent('unreadable_media', `cannot read ${path}: ${err.code ?? err.message}`, { cause: err });
  });
  const json = await ffprobeJson(
    path,
    ['-show_entries', 'format=duration,start_time,bit_rate,format_name:stream=codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,sample_rate,channels,duration'],
    options,
  );
  const format = (json.format ?? {}) as { duration?: string; start_time?: string; bit_rate?: string; format_name?: string };
  const streams = (json.streams ?? []) as RawStream[];
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  const durationSec = num(format.duration);
  if (durationSec === null || (!v && !a)) {
    throw permanent('unreadable_media', `${path} holds no readable audio or video (format ${format.format_name ?? 'unknown'})`);
  }
  return {
    path,
    sizeBytes: size.size,
    durationSec,
    startSec: num(format.start_time) ?? 0,
    bitRate: num(format.bit_rate) ?? 0,
    formatName: format.format_name ?? '',
    video: v
      ? {
          codec: v.codec_name ?? '',
          width: v.width ?? 0,
          height: v.height ?? 0,
          fps: rate(v.avg_frame_rate) || rate(v.r_frame_rate),
          durationSec: num(v.duration),
        }
      : null,
    audio: a ? { codec: a.codec_name ?? '', sampleRate: Number(a.sample_rate ?? 0), channels: a.channels ?? 0, durationSec: num(a.duration) } : null,
  };
}

/**
 * A short signature of the codecs and picture size: units whose key differs are never joined in
 * one part (see planner.ts). Cheap: reads only the stream headers.
 */
export function streamKey(info: MediaInfo): string {
  const v = info.video ? `${info.video.codec} ${info.video.width}x${info.video.height}` : 'novideo';
  const a = info.audio ? `${info.audio.codec} ${info.audio.sampleRate}/${info.audio.channels}` : 'noaudio';
  return `${v} ${a}`;
}

export interface Packet {
  stream: 'video' | 'audio';
  ptsSec: number;
  dtsSec: number;
  durationSec: number;
  /** Byte offset in the file (-1 when unknown). */
  pos: number;
  size: number;
  keyframe: boolean;
}

/**
 * Every audio and video packet of a file in demux order (for one-file planning and for tests'
 * continuity checks). Streams the CSV so a long VOD does not build one huge string.
 */
export async function probePackets(path: string, options: ProbeOptions & { streams?: 'v' | 'a' | 'va' }): Promise<Packet[]> {
  const packets: Packet[] = [];
  const types = new Map<number, 'video' | 'audio'>();
  const info = await ffprobeJson(path, ['-show_entries', 'stream=index,codec_type'], options);
  for (const s of (info.streams ?? []) as Array<{ index: number; codec_type?: string }>) {
    if (s.codec_type === 'video' || s.codec_type === 'audio') types.set(s.index, s.codec_type);
  }
  const want = options.streams ?? 'va';
  const selected = [...types].filter(([, t]) => want.includes(t[0])).map(([i]) => i);
  if (selected.length === 0) throw permanent('unreadable_media', `${path} has no ${want === 'v' ? 'video' : want === 'a' ? 'audio' : 'audio or video'} stream`);
  let bad = 0;
  const r = await runTool(toolPath(options), ['-v', 'error', '-of', 'csv=p=0', '-show_entries', 'packet=stream_index,pts_time,dts_time,duration_time,pos,size,flags', path], {
    signal: options.signal,
    onLine: (line) => {
      if (!line) return;
      const [idx, pts, dts, dur, size, pos, flags] = line.split(',');
      const kind = types.get(Number(idx));
      if (!kind || !selected.includes(Number(idx))) return;
      const ptsSec = Number(pts);
      if (!Number.isFinite(ptsSec)) {
        bad++;
        return;
      }
      packets.push({
        stream: kind,
        ptsSec,
        dtsSec: Number.isFinite(Number(dts)) ? Number(dts) : ptsSec,
        durationSec: Number(dur) || 0,
        size: Number(size) || 0,
        pos: pos === 'N/A' ? -1 : Number(pos),
        keyframe: (flags ?? '').includes('K'),
      });
    },
  });
  if (r.code !== 0) throw permanent('unreadable_media', `ffprobe cannot read the packets of ${path}: ${lastLines(r.stderrTail)}`);
  if (bad > packets.length) throw permanent('unreadable_media', `${path}: most packets have no timestamp`);
  return packets;
}

/** Video keyframe times and file positions, in order. */
export async function probeKeyframes(path: string, options: ProbeOptions): Promise<Array<{ timeSec: number; pos: number }>> {
  const packets = await probePackets(path, { ...options, streams: 'v' });
  return packets.filter((p) => p.keyframe).map((p) => ({ timeSec: p.ptsSec, pos: p.pos }));
}
