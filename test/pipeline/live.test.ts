import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../electron/contract/settings';
import { vodRow } from '../../electron/engine/core/vod-rows';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import type { MessageRecord } from '../fakes/telegram/state';
import { LiveBroadcast } from '../fakes/twitch/live';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

/*
 * A broadcast on the Twitch stand-in (its live mode replays a made VOD on the wall clock) backed up
 * by the engine in-process: parts are posted while it runs, the engine is stopped mid-broadcast and
 * started again on the same data folder, and at the end every caption is final, chapters are in
 * the captions and in the MP4s, and each Telegram chat gets one index message.
 */
const params = { durationSec: 48, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const VOD = '7001';
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let broadcast: LiveBroadcast;
let settings: Settings;
let channelId: string;
let groupId: string;
let folder: string;
let dataDir: string;
let engine: TestEngine | undefined;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-live', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
  telegram = await startTelegramStandIn();
  const chats = telegram.state().chats;
  channelId = `-100${chats.find((c) => c.title === 'VOD Archive')!.id}`;
  groupId = `-100${chats.find((c) => c.title === 'VOD Chat')!.id}`;
  folder = mkdtempSync(join(tmpdir(), 'tvb-live-folder-'));
  dataDir = mkdtempSync(join(tmpdir(), 'tvb-live-data-'));
  settings = standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4, captionTemplate: '{title} - Part {part}/{parts} {chapters}', pinIndex: true },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram), livePollMs: 500 },
    destinations: [
      { kind: 'telegram', name: 'Archive', chatId: channelId },
      { kind: 'telegram', name: 'Backup chat', chatId: groupId },
      { kind: 'folder', name: 'NAS', path: folder },
    ],
  });
  const session = await standInSession(settings);
  // The broadcast starts now and runs in real time (48 s): discovery sees it as "processing".
  broadcast = new LiveBroadcast({
    media: hls,
    speed: 1,
    mutedSegments: [3],
    muteAfterSec: 1,
    chapters: [
      { startSec: 0, game: 'Just Chatting' },
      { startSec: 26, game: 'Elden Ring' },
    ],
  });
  twitch.addVod({ id: VOD, userId: '1001', title: 'Live night', createdAt: new Date().toISOString(), hls, broadcast });
  engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session }, { dir: dataDir });
}, 180_000);

afterAll(async () => {
  await engine?.close();
  await telegram?.close();
  await twitch?.close();
  rmSync(folder, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const partPosts = (chat: string): MessageRecord[] => (telegram.state().messages[chat] ?? []).filter((m) => m.media);
const textPosts = (chat: string): MessageRecord[] => (telegram.state().messages[chat] ?? []).filter((m) => !m.media);

describe('live archiving on the stand-in broadcast', () => {
  it('posts parts before the broadcast ends, survives a restart mid-broadcast, then finalises captions, chapters and the index', async () => {
    // Parts are posted while the broadcast runs, their captions without the total.
    await expect.poll(() => partPosts(channelId).length, { timeout: 60_000, interval: 200 }).toBeGreaterThan(0);
    expect(broadcast.state().ended).toBe(false);
    expect(partPosts(channelId)[0]!.text).toMatch(/^Live night - Part 1\/… 0:00 Just Chatting/);
    expect(getVod(engine!.engine.db, VOD)?.parts_total).toBeNull();
    // The queue card's row says it is being recorded (the UI's "Recording: … so far, n parts posted").
    expect(vodRow(engine!.engine.db, getVod(engine!.engine.db, VOD)!, settings).recording).toBe(true);

    // Stopped mid-broadcast (part 1 recorded as posted everywhere, the next part about 8 s away)
    // and started again on the same data: it catches up, then follows.
    await expect.poll(() => partsOf(engine!.engine.db, VOD).find((p) => p.idx === 1)?.state, { timeout: 30_000, interval: 100 }).toBe('posted');
    expect(broadcast.state().ended).toBe(false);
    await engine!.stop();
    const session = engine!.persistedSecrets.map((s) => s.telegramSession).find(Boolean);
    engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session ?? (await standInSession(settings)) }, { dir: dataDir });
    await engine.waitForStatus(VOD, 'completed', 240_000);
    expect(broadcast.state().ended).toBe(true);

    const db = engine.engine.db;
    const parts = partsOf(db, VOD);
    const total = parts.length;
    expect(total).toBeGreaterThanOrEqual(3);
    expect(getVod(db, VOD)?.parts_total).toBe(total);
    expect(vodRow(db, getVod(db, VOD)!, settings).recording).toBe(false);
    // No segment missing: the parts cover the whole broadcast.
    expect(parts.reduce((n, p) => n + p.duration, 0)).toBeCloseTo(params.durationSec, 0);

    for (const chat of [channelId, groupId]) {
      const posts = partPosts(chat);
      // Every part exactly once, in order, and every caption final.
      expect(posts).toHaveLength(total);
      posts.forEach((m, i) => expect(m.text).toMatch(new RegExp(`^Live night - Part ${i + 1}/${total} \\d:\\d\\d`)));
      expect(posts.some((m) => m.editDate !== undefined)).toBe(true);
      // Chapters with part-relative times: the part holding 0:26 of the VOD names Elden Ring.
      const withChange = parts.findIndex((p) => p.start_sec <= 26 && p.start_sec + p.duration > 26);
      expect(posts[withChange]!.text).toContain('Elden Ring');
      expect(posts[0]!.text).toContain('0:00 Just Chatting');
      // One index message: links to every part's post, the chapters with part and time; pinned.
      const index = textPosts(chat);
      expect(index).toHaveLength(1);
      for (let n = 1; n <= total; n++) expect(index[0]!.text).toContain(`Part ${n}`);
      expect(index[0]!.text).toContain('Chapters');
      expect(index[0]!.text).toMatch(/Elden Ring: Part \d+ at \d:\d\d/);
      expect(index[0]!.pinned).toBe(true);
    }

    // The folder copies carry the chapters as MP4 chapter metadata (written in the same ffmpeg run).
    const vodDir = findVodDir(folder);
    const mp4s = readdirSync(vodDir)
      .filter((f) => f.endsWith('.mp4'))
      .sort();
    expect(mp4s).toHaveLength(total);
    const titles = mp4s.flatMap((f) => chapterTitles(join(vodDir, f)));
    expect(titles).toContain('Just Chatting');
    expect(titles).toContain('Elden Ring');
    const meta = JSON.parse(readFileSync(join(vodDir, 'metadata.json'), 'utf8')) as {
      partsTotal: number;
      parts: unknown[];
      complete?: boolean;
      chapters?: Array<{ title: string; part: number }>;
    };
    expect(meta.partsTotal).toBe(total);
    expect(meta.parts).toHaveLength(total);
    // The folder's index: metadata.json fields and index.txt.
    expect(meta.complete).toBe(true);
    expect(meta.chapters?.map((c) => c.title)).toEqual(['Just Chatting', 'Elden Ring']);
    const indexTxt = readFileSync(join(vodDir, 'index.txt'), 'utf8');
    expect(indexTxt).toContain(`Part ${total}`);
    expect(indexTxt).toMatch(/0:26 {2}Elden Ring {2}\(part \d+ at \d:\d\d\)/);
  }, 360_000);
});

function findVodDir(root: string): string {
  for (const channel of readdirSync(root)) {
    for (const dir of readdirSync(join(root, channel))) {
      const path = join(root, channel, dir);
      if (existsSync(join(path, 'metadata.json'))) return path;
    }
  }
  throw new Error(`no VOD folder under ${root}`);
}

function chapterTitles(file: string): string[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(out) as { chapters: Array<{ tags?: { title?: string } }> }).chapters.map((c) => c.tags?.title ?? '');
}
