import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../electron/contract/settings';
import { startEngine, type RunningEngine } from '../../electron/engine/core/start-engine';
import { insertPlannedPart, updatePart } from '../../electron/engine/store/parts';
import { repostTargets } from '../../electron/engine/store/upload-targets';
import { ensureUploads, markPosted, markUploadError, uploadsOf } from '../../electron/engine/store/uploads';
import { getVod, insertVod, updateVod } from '../../electron/engine/store/vods';
import { twitchThumbnail } from '../../electron/engine/twitch/thumbnails';

/**
 * The engine requests behind the queue's and history's per-destination actions, history pages
 * and thumbnails, through the engine's own dispatcher (the path the UI uses).
 */
let dir: string;
let running: RunningEngine;
let id = 100;
const call = async (method: string, params: unknown) => {
  const r = (await running.dispatch({ kind: 'request', id: ++id, method, params })) as { ok: boolean; result?: unknown; error?: { code: string; message: string; field?: string } };
  return r;
};
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

function addVod(vid: string, status: 'completed' | 'failed', day: number, channel = 'alice') {
  insertVod(running.engine.db, {
    id: vid,
    channel_id: channel === 'alice' ? '1' : '2',
    channel_name: channel,
    title: `Stream ${vid}`,
    created_at: new Date(Date.UTC(2026, 0, day)).toISOString(),
    duration: 3600,
    duration_str: '1h0m0s',
    status,
    url: `https://www.twitch.tv/videos/${vid}`,
    thumbnail_url: `https://static-cdn.jtvnw.net/cf_vods/x/${vid}/thumb0-%{width}x%{height}.jpg`,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-ux-req-'));
  const settings = defaultSettings();
  // Not ready to run (no Twitch credentials), so the scheduler leaves these rows alone.
  settings.destinations = [
    { kind: 'telegram', name: 'Main', chatId: '-1001234567890' },
    { kind: 'folder', name: 'NAS', path: join(dir, 'nas') },
  ];
  running = await startEngine({
    paths: { dataDir: dir, logFile: '', resourcesDir: '' },
    settings,
    secrets: {},
    host: { persistSecrets: () => {}, persistSettings: () => {}, notice: () => {}, status: () => {} },
  });
  for (let i = 1; i <= 25; i++) addVod(String(1000 + i), i % 5 === 0 ? 'failed' : 'completed', i, i % 2 ? 'alice' : 'bob');
});
afterAll(async () => {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('history pages', () => {
  it('pages with a total, filters by channel and status, newest first, with the posts and their links', async () => {
    const db = running.engine.db;
    insertPlannedPart(db, '1025', { index: 1, firstUnit: 0, lastUnit: 1, bytes: 10, startSec: 0, durationSec: 60 });
    ensureUploads(db, '1025', 0, 1, ['tg:-1001234567890']);
    markPosted(db, { vodId: '1025', generation: 0, partIdx: 1, destination: 'tg:-1001234567890' }, 7, 'https://t.me/c/1234567890/7');
    const first = (await call('history.list', { limit: 10, offset: 0 })).result as {
      rows: Array<{ id: string; parts: Array<{ posts: Array<{ link?: string }> }> }>;
      total: number;
      channels: unknown[];
    };
    expect(first.total).toBe(25);
    expect(first.rows.map((r) => r.id).slice(0, 3)).toEqual(['1025', '1024', '1023']);
    expect(first.rows[0].parts[0].posts[0].link).toBe('https://t.me/c/1234567890/7');
    expect(first.channels).toEqual([
      { id: '1', name: 'alice' },
      { id: '2', name: 'bob' },
    ]);
    const third = (await call('history.list', { limit: 10, offset: 20 })).result as { rows: unknown[] };
    expect(third.rows).toHaveLength(5);
    const bobFailed = (await call('history.list', { channel: 'bob', status: 'failed' })).result as { rows: Array<{ id: string }>; total: number };
    expect(bobFailed.rows.map((r) => r.id)).toEqual(['1020', '1010']);
  });
});

describe('per-destination actions', () => {
  it('retries one destination: its error is cleared, posted parts stay posted, unknown destinations are refused', async () => {
    const db = running.engine.db;
    insertPlannedPart(db, '1015', { index: 1, firstUnit: 0, lastUnit: 1, bytes: 10, startSec: 0, durationSec: 60 });
    ensureUploads(db, '1015', 0, 1, ['tg:-1001234567890', `dir:${join(dir, 'nas')}`]);
    markPosted(db, { vodId: '1015', generation: 0, partIdx: 1, destination: `dir:${join(dir, 'nas')}` }, null, join(dir, 'nas', 'x'));
    markUploadError(db, { vodId: '1015', generation: 0, partIdx: 1, destination: 'tg:-1001234567890' }, 'CHAT_WRITE_FORBIDDEN');
    updateVod(db, '1015', { last_error: 'CHAT_WRITE_FORBIDDEN', error_class: 'permanent' });

    const refused = await call('vod.retryDestination', { vodId: '1015', destination: 'tg:-100999' });
    expect(refused.ok).toBe(false);
    expect(refused.error?.field).toBe('params.destination');
    expect((await call('vod.retryDestination', { vodId: '1015', destination: 'tg:-1001234567890' })).ok).toBe(true);
    const rows = uploadsOf(db, '1015', 0);
    expect(rows.find((u) => u.destination === 'tg:-1001234567890')).toMatchObject({ error: null, state: 'pending' });
    expect(rows.find((u) => u.destination.startsWith('dir:'))?.state).toBe('posted');
    expect(getVod(db, '1015')?.status).toBe('pending');
    expect((await call('vod.retryDestination', { vodId: 'nope', destination: 'tg:-1001234567890' })).error?.code).toBe('not_found');
  });

  it('"post again" records the chosen destinations for the next generation', async () => {
    const db = running.engine.db;
    expect((await call('vod.repostTo', { vodId: '1024', destinations: [] })).ok).toBe(false);
    expect((await call('vod.repostTo', { vodId: '1024', destinations: ['tg:-1001234567890'] })).ok).toBe(true);
    expect(repostTargets(db, '1024', 1)).toEqual(['tg:-1001234567890']);
    await expect.poll(() => getVod(db, '1024')?.generation, { timeout: 20_000 }).toBe(1);
  });
});

describe('thumbnails', () => {
  it("serves a built part's own thumbnail as a data: URL and keeps it after the work folder is cleaned", async () => {
    const db = running.engine.db;
    const thumb = join(dir, 'work-thumb.jpg');
    writeFileSync(thumb, JPEG);
    insertPlannedPart(db, '1023', { index: 1, firstUnit: 0, lastUnit: 1, bytes: 10, startSec: 0, durationSec: 60 });
    updatePart(db, '1023', 1, { state: 'built', thumb_path: thumb });
    const r = (await call('vod.thumbnail', { vodId: '1023', part: 1 })).result as { dataUrl: string };
    expect(r.dataUrl).toBe(`data:image/jpeg;base64,${JPEG.toString('base64')}`);
    rmSync(thumb);
    expect(((await call('vod.thumbnail', { vodId: '1023', part: 1 })).result as { dataUrl: string }).dataUrl).toBe(r.dataUrl);
    expect(((await call('vod.thumbnail', { vodId: '1023', part: 9 })).result as { dataUrl: null }).dataUrl).toBeNull();
  });

  it("fetches Twitch's thumbnail once at a filled-in size, caches it, and refuses what is not an image", async () => {
    const seen: string[] = [];
    const fake = (async (url: string) => {
      seen.push(url);
      return url.includes('1022') ? new Response(JPEG, { headers: { 'content-type': 'image/jpeg' } }) : new Response('<html>', { headers: { 'content-type': 'text/html' } });
    }) as unknown as typeof fetch;
    const deps = { db: running.engine.db, dataDir: join(dir, 'cache'), livePhrases: ['404_processing'], fetch: fake };
    mkdirSync(deps.dataDir, { recursive: true });
    expect(await twitchThumbnail(deps, '1022')).toMatch(/^data:image\/jpeg;base64,/);
    expect(await twitchThumbnail(deps, '1022')).toMatch(/^data:image\/jpeg;base64,/);
    expect(seen).toEqual(['https://static-cdn.jtvnw.net/cf_vods/x/1022/thumb0-320x180.jpg']);
    expect(await twitchThumbnail(deps, '1021')).toBeNull();
    updateVod(running.engine.db, '1019', { thumbnail_url: 'https://vod-secure.twitch.tv/_404/404_processing_%{width}x%{height}.png' });
    expect(await twitchThumbnail(deps, '1019')).toBeNull();
    expect(seen).toHaveLength(2);
  });
});

describe('caption preview', () => {
  it("renders the form's template on the newest known VOD with the VOD job's renderer, and reports a bad placeholder as text", async () => {
    const ok = (await call('caption.preview', { template: '<b>{title}</b> {channel} {date} - Part {part}/{parts}', dateFormat: 'yyyy-MM-dd', timeZone: 'UTC' })).result as {
      html: string;
      vodTitle: string;
      error: null;
    };
    expect(ok.vodTitle).toBe('Stream 1025');
    expect(ok.html).toBe('<b>Stream 1025</b> alice 2026-01-25 - Part 1/1');
    const bad = (await call('caption.preview', { template: '{title} {nope}', dateFormat: 'yyyy', timeZone: '' })).result as { error: string };
    expect(bad.error).toContain('unknown placeholder {nope}');
  });
});
