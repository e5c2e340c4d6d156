import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../store/database';
import { partsOf } from '../store/parts';
import { getVod } from '../store/vods';
import { createLogger } from '../util/log';

/**
 * Pictures for the queue (issue 13 item 3). The renderer's CSP allows only `self` and data: URLs
 * in the app, and browser mode reaches the engine over a WebSocket, so the engine fetches
 * Twitch's thumbnail once, keeps it under `<dataDir>/thumbnails/` and hands the UI a data: URL.
 * A part's own thumbnail (made by media/thumbnail.ts) is copied there when asked for, since the
 * work folder is cleaned after the VOD is posted.
 */
const log = createLogger('thumbnails');
/** Twitch's CDN serves any size filled into the template; 320x180 is sharp at the card's 160x90 on 2x screens. */
const WIDTH = 320;
const HEIGHT = 180;
const MAX_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 15_000;

export interface ThumbnailDeps {
  db: Db;
  dataDir: string;
  livePhrases: readonly string[];
  fetch?: typeof fetch;
}

const dataUrl = (bytes: Buffer, type: string) => `data:${type};base64,${bytes.toString('base64')}`;
const typeOf = (path: string) => (path.endsWith('.png') ? 'image/png' : 'image/jpeg');

function readCached(path: string): string | null {
  try {
    if (!existsSync(path) || statSync(path).size === 0 || statSync(path).size > MAX_BYTES) return null;
    return dataUrl(readFileSync(path), typeOf(path));
  } catch {
    return null;
  }
}

/** Twitch's picture of the VOD, from the cache or fetched once; null while live or when unavailable. */
export async function twitchThumbnail(deps: ThumbnailDeps, vodId: string): Promise<string | null> {
  const vod = getVod(deps.db, vodId);
  const template = vod?.thumbnail_url ?? '';
  // While live, Twitch's URL is a "processing" placeholder: not worth caching.
  if (!/^https?:\/\//.test(template) || deps.livePhrases.some((p) => template.includes(p))) return null;
  const dir = join(deps.dataDir, 'thumbnails');
  const file = join(dir, `${vodId.replace(/[^\w-]/g, '_')}.jpg`);
  const cached = readCached(file);
  if (cached) return cached;
  const url = template.replace(/%?\{width\}/g, String(WIDTH)).replace(/%?\{height\}/g, String(HEIGHT));
  try {
    const res = await (deps.fetch ?? fetch)(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || !type.startsWith('image/')) throw new Error(`HTTP ${res.status} ${type}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length === 0 || bytes.length > MAX_BYTES) throw new Error(`${bytes.length} bytes`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, bytes);
    return dataUrl(bytes, type.split(';')[0]);
  } catch (error) {
    log.debug('No Twitch thumbnail', { vodId, error: (error as Error).message });
    return null;
  }
}

/** A built part's own thumbnail, kept in the cache once seen. */
export function partThumbnail(deps: ThumbnailDeps, vodId: string, index: number): string | null {
  const dir = join(deps.dataDir, 'thumbnails');
  const file = join(dir, `${vodId.replace(/[^\w-]/g, '_')}-p${index}.jpg`);
  const cached = readCached(file);
  if (cached) return cached;
  const source = partsOf(deps.db, vodId).find((p) => p.idx === index)?.thumb_path;
  if (!source || !existsSync(source)) return null;
  try {
    mkdirSync(dir, { recursive: true });
    copyFileSync(source, file);
  } catch (error) {
    log.debug('Part thumbnail not cached', { vodId, index, error: (error as Error).message });
  }
  return readCached(file) ?? readCached(source);
}

/** What the card shows: the part asked for, else Twitch's, else the first part's own. */
export async function vodThumbnail(deps: ThumbnailDeps, vodId: string, part?: number): Promise<string | null> {
  if (part != null) return partThumbnail(deps, vodId, part);
  return (await twitchThumbnail(deps, vodId)) ?? partThumbnail(deps, vodId, 1);
}
