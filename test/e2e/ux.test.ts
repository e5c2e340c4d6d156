import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../electron/contract/settings';
import { insertPlannedPart, updatePart } from '../../electron/engine/store/parts';
import { ensureUploads, markPosted, markSending, markUploadError, uploadsOf } from '../../electron/engine/store/uploads';
import { getVod, insertVod, updateVod } from '../../electron/engine/store/vods';
import { axeViolations, eventually, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * What a streamer sees (issue 13): a queue with four destinations in an 800x600 window (one
 * failed, retried alone), states that say what is true, totals, thumbnails served by the engine,
 * history with links and "post again" to chosen destinations, Italian and dark, and axe-core with
 * zero violations on every page in both themes.
 */
const MiB = 1024 * 1024;
const TG = ['-1001000000001', '-1001000000002', '-1001000000003'];
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);

function settingsWith(folder: string): Settings {
  const s = defaultSettings();
  s.twitch.clientId = 'e2e-client';
  s.twitch.channels = [{ channel: 'alice', destinations: [], liveMode: 'postWhileLive' }];
  s.vod.autoCheck = false;
  s.telegram.apiId = 12345;
  s.telegram.apiHash = '0123456789abcdef0123456789abcdef';
  s.destinations = [
    { kind: 'telegram', name: 'Archive', chatId: TG[0] },
    { kind: 'telegram', name: 'Fans group', chatId: TG[1] },
    { kind: 'telegram', name: 'Backup channel', chatId: TG[2] },
    { kind: 'folder', name: 'NAS', path: folder },
  ];
  return s;
}

describe('what a streamer sees', () => {
  let world: E2eWorld;
  let folder: string;
  const dest = (i: number) => `tg:${TG[i]}`;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'tvb-e2e-ux-'));
    world = await startWorld({ settings: settingsWith(folder), secrets: { twitchClientSecret: 'e2e-secret-value' } });
    const { engine } = world.running;
    await world.page.getByTestId('engine-state').waitFor();
    // Nothing runs while the rows below are made up by hand.
    await world.running.dispatch({ kind: 'request', id: 1, method: 'queue.pause', params: {} });
    const db = engine.db;
    const now = Date.now();
    const vod = (id: string, title: string, hoursAgo: number, status: 'pending' | 'processing' | 'completed', durationSec = 3 * 3600) =>
      insertVod(db, {
        id,
        channel_id: '1',
        channel_name: 'alice',
        title,
        created_at: new Date(now - hoursAgo * 3600_000).toISOString(),
        duration: durationSec,
        duration_str: '3h',
        status,
        url: `https://www.twitch.tv/videos/${id}`,
        thumbnail_url: '',
      });
    // Working: two parts, the second posting; four destinations, one refused by Telegram.
    vod('5001', 'Marathon with a very long title that has to fit in a narrow window somehow', 5, 'processing');
    updateVod(db, '5001', { stage: 'posting', parts_total: 2 });
    const thumb = join(world.dir, 'part1.jpg');
    writeFileSync(thumb, JPEG);
    for (const idx of [1, 2]) {
      insertPlannedPart(db, '5001', { index: idx, firstUnit: 0, lastUnit: 1, bytes: 1900 * MiB, startSec: 0, durationSec: 5400 });
      updatePart(db, '5001', idx, { state: 'uploaded', bytes: 1900 * MiB, thumb_path: idx === 1 ? thumb : null });
      ensureUploads(db, '5001', 0, idx, [dest(0), dest(1), dest(2), `dir:${folder}`]);
    }
    for (const idx of [1, 2]) markPosted(db, { vodId: '5001', generation: 0, partIdx: idx, destination: dest(0) }, 10 + idx, `https://t.me/c/1000000001/${10 + idx}`);
    markPosted(db, { vodId: '5001', generation: 0, partIdx: 1, destination: `dir:${folder}` }, null, join(folder, 'alice', 'part1.mp4'));
    markPosted(db, { vodId: '5001', generation: 0, partIdx: 1, destination: dest(2) }, 5, 'https://t.me/c/1000000003/5');
    markSending(db, { vodId: '5001', generation: 0, partIdx: 2, destination: dest(2) }, '123');
    for (const idx of [1, 2])
      markUploadError(db, { vodId: '5001', generation: 0, partIdx: idx, destination: dest(1) }, 'RPCError 403: CHAT_WRITE_FORBIDDEN (caused by messages.SendMedia)');
    // Waiting its turn, and one waiting to retry.
    vod('5002', 'Chill stream', 3, 'pending', 2 * 3600);
    vod('5003', 'Speedrun practice', 2, 'pending', 1800);
    updateVod(db, '5003', { last_error: 'connect ETIMEDOUT 151.101.2.1:443', error_class: 'transient', retries: 1, next_retry: new Date(now + 600_000).toISOString() });
    // History: 60 finished VODs, the newest posted to two destinations.
    for (let i = 0; i < 60; i++) vod(String(4000 + i), `Old stream ${i}`, 48 + 60 - i, 'completed', 3600);
    insertPlannedPart(db, '4059', { index: 1, firstUnit: 0, lastUnit: 1, bytes: 900 * MiB, startSec: 0, durationSec: 3600 });
    updatePart(db, '4059', 1, { state: 'posted', bytes: 900 * MiB });
    ensureUploads(db, '4059', 0, 1, [dest(0), `dir:${folder}`]);
    markPosted(db, { vodId: '4059', generation: 0, partIdx: 1, destination: dest(0) }, 77, 'https://t.me/c/1000000001/77');
    markPosted(db, { vodId: '4059', generation: 0, partIdx: 1, destination: `dir:${folder}` }, null, join(folder, 'alice', 'old.mp4'));
    updateVod(db, '4059', { parts_total: 1 });
    // Finished long ago: history only, not the queue's "recently finished".
    db.prepare(`UPDATE vods SET updated_at = ? WHERE id LIKE '40%'`).run(new Date(now - 72 * 3600_000).toISOString());
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && world) await screenshot(world.page, `failed-ux-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await world?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('fits four destinations in an 800x600 window and says what is true of each VOD', async () => {
    const { page } = world;
    await page.setViewportSize({ width: 800, height: 600 });
    await page.reload();
    const card = page.locator('[data-vod="5001"]');
    await card.waitFor();
    expect(await page.getByTestId('engine-state').textContent()).toContain('Paused');
    expect(await card.getByTestId('vod-status').textContent()).toBe('Posting part 2 of 2');
    expect(await page.locator('[data-vod="5002"]').getByTestId('vod-status').textContent()).toBe('Queued, 1st');
    expect(await page.locator('[data-vod="5003"]').getByTestId('vod-status').textContent()).toBe('Waiting to retry');
    expect(await card.getByTestId('vod-size').textContent()).toBe('3.71 GiB in all');
    expect(await card.getByTestId('vod-overall').textContent()).toContain('Posted 0 of 2');
    expect(await page.getByTestId('queue-totals').textContent()).toMatch(/^3 VODs to back up · 5\.5 h · 3\.71 GiB\+/);

    // Every chip is on screen: nothing is cut off, nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    const chips = card.locator('[data-part="2"] .chip');
    expect(await chips.count()).toBe(4);
    for (const box of await chips.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))) expect(box).toBeLessThanOrEqual(800);
    const failed = card.locator('[data-part="2"] .chip[data-state="failed"]');
    expect(await failed.textContent()).toContain('Fans group: failed');
    expect(await failed.textContent()).toContain('The account may not post in this chat');
    expect(await card.locator('[data-part="2"] .chip[data-state="active"]').textContent()).toContain('Backup channel: in progress');
    expect(await card.getByRole('link', { name: /Archive ✓/ }).count()).toBe(2);
    // The engine serves the part's own thumbnail as a data: URL.
    await eventually(() => card.locator('.thumb img').getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    await screenshot(page, 'queue-800x600-four-destinations');

    // Retry that destination alone: its error is cleared, the others keep their posts.
    await failed.getByRole('button', { name: 'Retry Fans group' }).click();
    await eventually(() => uploadsOf(world.running.engine.db, '5001', 0).filter((u) => u.destination === dest(1) && u.error).length).toBe(0);
    expect(uploadsOf(world.running.engine.db, '5001', 0).filter((u) => u.state === 'posted')).toHaveLength(4);
  });

  it('marks a destination removed from the settings instead of showing it in progress forever', async () => {
    const { page, running } = world;
    const next = structuredClone(running.engine.settings);
    next.destinations = next.destinations.filter((d) => d.kind !== 'telegram' || d.chatId !== TG[2]);
    await running.dispatch({ kind: 'request', id: 2, method: 'settings.update', params: { settings: next } });
    const chip = page.locator('[data-vod="5001"] [data-part="2"] .chip').filter({ hasText: 'Backup channel' });
    await eventually(() => chip.getAttribute('data-state')).toBe('removed');
    expect(await chip.textContent()).toContain('removed from settings');
  });

  it('pages the history, links one post per row, and asks where to post again', async () => {
    const { page, running } = world;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('tab', { name: 'History' }).click();
    const row = page.locator('tr[data-vod="4059"]');
    await row.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(50);
    expect(await page.getByTestId('history-page').textContent()).toBe('Page 1 of 2');
    // One link in the tab order; the folder copy waits in the details.
    expect(await row.getByRole('link').count()).toBe(1);
    expect(await row.getByRole('link').getAttribute('href')).toBe('https://t.me/c/1000000001/77');
    await row.locator('summary').click();
    expect(await row.locator('details').textContent()).toContain('old.mp4');
    await screenshot(page, 'history-with-links');
    await page.getByRole('button', { name: 'Next page' }).click();
    await eventually(() => page.getByTestId('history-page').textContent()).toBe('Page 2 of 2');
    await eventually(() => page.locator('tbody tr').count()).toBe(10);
    await page.getByRole('button', { name: 'Previous page' }).click();

    await row.getByRole('button', { name: /Post again/ }).click();
    const dialog = page.getByTestId('repost-dialog');
    await dialog.waitFor();
    // Preselected: the destinations that do not have it yet.
    expect(await dialog.getByRole('checkbox', { name: /^Archive/ }).isChecked()).toBe(false);
    expect(await dialog.getByRole('checkbox', { name: /Fans group/ }).isChecked()).toBe(true);
    expect(await dialog.getByRole('checkbox', { name: /NAS/ }).isChecked()).toBe(false);
    await screenshot(page, 'history-post-again');
    await dialog.getByRole('button', { name: 'Post again to 1' }).click();
    await eventually(() => getVod(running.engine.db, '4059')?.generation).toBe(1);
  });

  it('speaks Italian with Italian numbers, and follows a dark theme (OS or the setting)', async () => {
    const { browser, server } = world;
    const it = await browser.newContext({ viewport: { width: 800, height: 600 }, locale: 'it-IT' });
    try {
      const page = await it.newPage();
      await page.goto(server.url);
      const card = page.locator('[data-vod="5001"]');
      await card.waitFor();
      // In line, oldest first: the VOD posted again above, the retried marathon, then the chill stream.
      expect(await page.locator('[data-vod="4059"]').getByTestId('vod-status').textContent()).toBe('In coda, 1º');
      expect(await card.getByTestId('vod-status').textContent()).toBe('In coda, 2º');
      expect(await page.locator('[data-vod="5002"]').getByTestId('vod-status').textContent()).toBe('In coda, 3º');
      expect(await card.getByTestId('vod-size').textContent()).toBe('3,71 GiB in tutto');
      expect(await page.getByTestId('engine-state').textContent()).toContain('In pausa');
      await screenshot(page, 'queue-it');
    } finally {
      await it.close();
    }
    const dark = await browser.newContext({ viewport: { width: 800, height: 600 }, colorScheme: 'dark' });
    try {
      const page = await dark.newPage();
      await page.goto(server.url);
      await page.locator('[data-vod="5001"]').waitFor();
      await screenshot(page, 'queue-dark');
    } finally {
      await dark.close();
    }
    // The setting wins over the OS.
    const { page, running } = world;
    const next = structuredClone(running.engine.settings);
    next.app.theme = 'dark';
    await running.dispatch({ kind: 'request', id: 3, method: 'settings.update', params: { settings: next } });
    await eventually(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(bg).toBe('rgb(21, 23, 27)');
    next.app.theme = 'system';
    await running.dispatch({ kind: 'request', id: 4, method: 'settings.update', params: { settings: next } });
    await eventually(() => page.evaluate(() => document.documentElement.dataset.theme ?? 'none')).toBe('none');
  });

  it('has zero axe-core violations on every page in both themes', async () => {
    const { browser, server } = world;
    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1000, height: 800 }, colorScheme: scheme });
      try {
        const page = await ctx.newPage();
        await page.goto(server.url);
        await page.locator('[data-vod="5001"]').waitFor();
        if (scheme === 'light') {
          // The check itself can fail: an image without alt text is reported.
          await page.evaluate(() => document.body.append(Object.assign(document.createElement('img'), { id: 'axe-probe', src: 'data:,' })));
          expect((await axeViolations(page)).join('\n')).toContain('image-alt');
          await page.evaluate(() => document.getElementById('axe-probe')?.remove());
        }
        for (const tab of ['Queue', 'History', 'Settings', 'Logs', 'Accounts']) {
          await page.getByRole('tab', { name: tab }).click();
          if (tab === 'History') await page.locator('tr[data-vod="4058"]').waitFor();
          if (tab === 'Settings') {
            for (const view of ['Basics', 'Schedule and limits', 'Advanced']) {
              await page.getByRole('button', { name: view, exact: true }).click();
              if (view === 'Advanced') await page.locator('#section-advanced summary').click();
              else await page.locator('#section-twitch details.scope, #section-vod').first().waitFor();
              if (view === 'Basics') {
                await page.locator('#section-twitch details.scope summary').first().click();
                // The caption template previewed on the newest VOD, by the engine's own renderer.
                await eventually(() => page.getByTestId('caption-preview').textContent()).toContain('Speedrun practice');
              }
              expect(await axeViolations(page), `${tab} ${view} (${scheme})`).toEqual([]);
              if (scheme === 'light') await screenshot(page, `settings-${view.split(' ')[0].toLowerCase()}`);
            }
            continue;
          }
          expect(await axeViolations(page), `${tab} (${scheme})`).toEqual([]);
        }
      } finally {
        await ctx.close();
      }
    }
  });
});
