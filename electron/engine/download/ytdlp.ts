/**
 * yt-dlp as a fallback: `-J` to list a VOD's formats when the native playlist path fails, and a
 * last-resort whole download (`-N`, JSON progress template) reported as DownloadProgress.
 */
import { spawn } from 'node:child_process';
import type { DownloadProgress } from '../../contract/domain';
import type { EngineError } from '../util/errors';
import { permanent, transient } from '../util/errors';
import { createLogger } from '../util/log';
import { redact } from '../util/redact';
import { cancelled } from '../twitch/http';
import type { Variant } from './playlist';

const log = createLogger('yt-dlp');

export interface YtDlpFormat {
  format_id: string;
  url: string;
  protocol?: string;
  height?: number | null;
  fps?: number | null;
  tbr?: number | null;
  vcodec?: string | null;
  acodec?: string | null;
}

interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs yt-dlp, calling `onLine` per stdout line; SIGTERM then SIGKILL on abort or timeout. */
function runYtDlp(path: string, args: string[], opts: { signal?: AbortSignal; timeoutMs?: number; onLine?: (line: string) => void; keepStdout?: boolean }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(cancelled());
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let timedOut = false;
    const kill = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    };
    const onAbort = () => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs)
      : undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (opts.keepStdout) stdout += chunk;
      if (!opts.onLine) return;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onLine(l.replace(/\r$/, ''));
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(permanent('ytdlp_not_runnable', `Could not run yt-dlp at ${path}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (partial && opts.onLine) opts.onLine(partial);
      if (opts.signal?.aborted) return reject(cancelled());
      if (timedOut) return reject(transient('ytdlp_timeout', `yt-dlp did not finish within ${opts.timeoutMs} ms.`));
      resolve({ stdout, stderr, code });
    });
  });
}

function headerArgs(headers: Record<string, string> = {}): string[] {
  return Object.entries(headers).flatMap(([k, v]) => ['--add-header', `${k}:${v}`]);
}

/**
 * yt-dlp's words for a passing failure: a 5xx or 429 from any Twitch host, a timeout, or a network
 * error (yt-dlp prints urllib's `<urlopen error ...>`, `[Errno N] ...`, "Connection reset/refused",
 * "Remote end closed connection", "timed out" in its `ERROR: ... Unable to download ...` lines).
 */
const TRANSIENT = /HTTP Error (5\d\d|429)|timed out|urlopen error|\[Errno -?\d+\]|Connection (refused|reset|aborted)|Remote end closed|Temporary failure|IncompleteRead|SSL: /i;

/**
 * Turns yt-dlp's stderr into an EngineError. Only the last ERROR line decides: passing failures
 * are transient, then sub-only ("subscriber-only content", usher's 403) and missing VODs
 * ("does not exist", 404) are permanent; anything else is transient.
 */
export function ytDlpError(stderr: string, what: string): EngineError {
  const lines = stderr.trim().split('\n');
  const lastLine = lines.filter((l) => l.includes('ERROR')).at(-1) ?? lines.at(-1) ?? '';
  const last = redact(lastLine);
  if (TRANSIENT.test(lastLine)) return transient('ytdlp_network', `yt-dlp could not ${what}: Twitch did not answer. ${last}`);
  if (/subscriber|vod_manifest_restricted|unauthorized_entitlements|HTTP Error 403/i.test(lastLine)) {
    return permanent('vod_manifest_restricted', `yt-dlp could not ${what}: access denied (sub-only VOD? it needs a playback token). ${last}`);
  }
  if (/HTTP Error 404|does not exist|not found/i.test(lastLine)) return permanent('vod_not_found', `yt-dlp could not ${what}: not found. ${last}`);
  return transient('ytdlp_failed', `yt-dlp could not ${what}. ${last}`);
}

/** `yt-dlp -J URL`: the formats it offers. */
export async function ytDlpFormats(
  ytDlpPath: string,
  url: string,
  opts: { headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<YtDlpFormat[]> {
  const res = await runYtDlp(ytDlpPath, ['-J', '--no-warnings', '--no-playlist', ...headerArgs(opts.headers), url], {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 60_000,
    keepStdout: true,
  });
  if (res.code !== 0) throw ytDlpError(res.stderr, 'read the VOD');
  let info: { formats?: YtDlpFormat[] };
  try {
    info = JSON.parse(res.stdout) as typeof info;
  } catch {
    throw transient('ytdlp_bad_json', 'yt-dlp -J printed something that is not JSON.');
  }
  return (info.formats ?? []).filter((f) => typeof f.url === 'string');
}

/** Maps yt-dlp's HLS formats onto our Variant shape (the group id is in the playlist URL path). */
export function variantsFromYtDlp(formats: readonly YtDlpFormat[]): Variant[] {
  return formats
    .filter((f) => !f.protocol || f.protocol.startsWith('m3u8'))
    .map((f) => {
      const fromPath = /\/([^/]+)\/[^/]*\.m3u8(?:\?|$)/.exec(f.url)?.[1];
      const audioOnly = f.vcodec === 'none' || /audio/i.test(f.format_id);
      const source = /source/i.test(f.format_id);
      const name = fromPath ?? (source ? 'chunked' : f.format_id);
      return {
        name,
        label: f.format_id
          .replace(/__source_$/, ' (source)')
          .replace(/_/g, ' ')
          .trim(),
        url: f.url,
        bandwidth: Math.round((f.tbr ?? 0) * 1000),
        height: f.height ?? undefined,
        fps: f.fps ? Math.round(f.fps) : undefined,
        audioOnly,
      };
    });
}

interface YtDlpProgressJson {
  status?: string;
  downloaded_bytes?: number | null;
  total_bytes?: number | null;
  total_bytes_estimate?: number | null;
  speed?: number | null;
  eta?: number | null;
  fragment_index?: number | null;
  fragment_count?: number | null;
}

/**
 * One stdout line of `--progress-template "download:%(progress)j"` (yt-dlp prints the JSON
 * without the `download:` prefix) as DownloadProgress; undefined for other lines.
 */
export function parseYtDlpProgressLine(line: string): DownloadProgress | undefined {
  const text = line.trim().replace(/^download:/, '');
  if (!text.startsWith('{')) return undefined;
  let p: YtDlpProgressJson;
  try {
    p = JSON.parse(text) as YtDlpProgressJson;
  } catch {
    return undefined;
  }
  if (typeof p.downloaded_bytes !== 'number') return undefined;
  const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const total = num(p.fragment_count) ?? 0;
  const done = Math.min(total || Infinity, Math.floor(num(p.fragment_index) ?? 0));
  return {
    bytes: Math.round(p.downloaded_bytes),
    segmentsDone: p.status === 'finished' && total ? total : done === Infinity ? 0 : done,
    segmentsTotal: Math.round(total),
    speedBps: num(p.speed) ?? 0,
    etaSec: p.status === 'finished' ? 0 : (num(p.eta) ?? null),
  };
}

export interface YtDlpDownloadOptions {
  ytDlpPath: string;
  url: string;
  outDir: string;
  /** yt-dlp format selector, e.g. `chunked/best`. */
  format?: string;
  concurrency?: number;
  headers?: Record<string, string>;
  ffmpegPath?: string;
  rateLimitBps?: number;
  onProgress?: (p: DownloadProgress) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

/** Whole download by yt-dlp; resolves with the file it wrote. */
export async function ytDlpDownload(opts: YtDlpDownloadOptions): Promise<{ path: string }> {
  const args = [
    '-N',
    String(opts.concurrency ?? 8),
    '-f',
    opts.format ?? 'best',
    '--newline',
    '--progress',
    '--progress-template',
    'download:%(progress)j',
    '--no-warnings',
    '--no-playlist',
    '--no-mtime',
    '--fragment-retries',
    '20',
    '--retries',
    '10',
    '-o',
    `${opts.outDir}/vod.%(ext)s`,
    '--print',
    'after_move:filepath',
    ...(opts.ffmpegPath ? ['--ffmpeg-location', opts.ffmpegPath] : []),
    ...(opts.rateLimitBps ? ['-r', String(Math.round(opts.rateLimitBps))] : []),
    ...headerArgs(opts.headers),
    opts.url,
  ];
  let lastEmit = 0;
  let maxBytes = 0;
  let maxTotal = 0;
  let maxDone = 0;
  let latest: DownloadProgress | undefined;
  let filePath: string | undefined;
  const interval = opts.progressIntervalMs ?? 250;
  log.info(`yt-dlp whole download into ${opts.outDir}`);
  const res = await runYtDlp(opts.ytDlpPath, args, {
    signal: opts.signal,
    onLine: (line) => {
      const p = parseYtDlpProgressLine(line);
      if (!p) {
        if (line.trim().startsWith('/') || /^[A-Za-z]:\\/.test(line.trim())) filePath = line.trim();
        return;
      }
      // With -N, concurrent fragments report interleaved byte counts: keep the count monotonic.
      // The final "finished" line has no fragment counts: keep the highest seen.
      maxBytes = Math.max(maxBytes, p.bytes);
      maxTotal = Math.max(maxTotal, p.segmentsTotal);
      maxDone = Math.max(maxDone, p.segmentsDone);
      latest = { ...p, bytes: maxBytes, segmentsTotal: maxTotal, segmentsDone: Math.min(maxTotal, maxDone) };
      const now = Date.now();
      if (now - lastEmit >= interval) {
        lastEmit = now;
        opts.onProgress?.(latest);
      }
    },
  });
  if (res.code !== 0) throw ytDlpError(res.stderr, 'download the VOD');
  if (!filePath) throw transient('ytdlp_no_file', 'yt-dlp finished but did not say which file it wrote.');
  if (latest) opts.onProgress?.({ ...latest, segmentsDone: latest.segmentsTotal, etaSec: 0 });
  return { path: filePath };
}
