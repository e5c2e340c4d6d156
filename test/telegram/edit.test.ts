/** Caption edits (telegram/gramjs/edit.ts) and the index post (index-post.ts) with unmodified GramJS against the MTProto stand-in. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginFlow, TelegramConnection } from '../../electron/engine/telegram/gramjs';
import { inputPeer } from '../../electron/engine/telegram/gramjs/peers';
import { editCaption } from '../../electron/engine/telegram/gramjs/edit';
import { pinMessage, sendIndexMessage } from '../../electron/engine/telegram/gramjs/index-post';
import { renderIndexMessages } from '../../electron/engine/telegram/index-message';
import { renderCaption } from '../../electron/engine/telegram/caption';
import { templateWhileTotalUnknown } from '../../electron/engine/telegram/parts-unknown';
import type { StoredDocument } from '../../electron/engine/telegram/types';
import { startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram/server';

const API_ID = 12345;
const API_HASH = '0123456789abcdef0123456789abcdef';
let standIn: TelegramStandIn;
let dir: string;
let conn: TelegramConnection;
let doc: StoredDocument;
let archiveId: string;

const values = { title: 'Live <night>', channel: 'dave', createdAt: '2026-01-02T03:04:05Z', part: 2, parts: 0, durationSec: 62, url: 'https://twitch.tv/videos/1' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-edit-'));
  standIn = await startTelegramStandIn({ stateFile: join(dir, 'state.json') });
  conn = await TelegramConnection.connect({
    apiId: API_ID,
    apiHash: API_HASH,
    session: '',
    testServer: { host: standIn.host, port: standIn.port, dcId: standIn.dcId, publicKeyPem: standIn.publicKeyPem },
  });
  const flow = new LoginFlow(conn, API_ID, API_HASH);
  await flow.start({ phone: '+15550000001' });
  expect(await flow.submitCode('12345')).toMatchObject({ step: 'done' });
  const file = join(dir, 'part.mp4');
  writeFileSync(file, randomBytes(300_000));
  const up = await conn.upload({ path: file, inFlight: 2 });
  doc = await conn.uploadMedia(up, { durationSec: 62, width: 160, height: 90, fileName: 'part 2' });
  archiveId = (await conn.listChats()).find((c) => c.title === 'VOD Archive')!.id;
}, 60_000);
afterAll(async () => {
  await conn?.close();
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('editCaption', () => {
  it('turns a live caption into the final one; the same edit again changes nothing', async () => {
    const live = renderCaption(values, { template: templateWhileTotalUnknown('<b>{title}</b> - Part {part}/{parts}', 'ellipsis') });
    const posted = await conn.post(doc, { chat: archiveId }, live);
    const peer = inputPeer(await conn.resolve(archiveId));
    const final = renderCaption({ ...values, parts: 5 }, { template: '<b>{title}</b> - Part {part}/{parts}' });

    expect(await editCaption(conn.client, peer, posted.messageId, final)).toEqual({ kind: 'edited' });
    const message = standIn.state().messages[archiveId]!.find((m) => m.id === posted.messageId)!;
    expect(message.text).toBe('Live <night> - Part 2/5');
    expect(message.entities).toEqual([expect.objectContaining({ type: 'MessageEntityBold', offset: 0, length: 12 })]);
    expect(message.editDate).toBeGreaterThan(0);
    // A repeat after a crash between the edit and its record: harmless, and says so.
    expect(await editCaption(conn.client, peer, posted.messageId, final)).toEqual({ kind: 'unchanged' });
  });

  it('reports edits Telegram will never take as refused, not as errors to retry', async () => {
    const peer = inputPeer(await conn.resolve(archiveId));
    expect(await editCaption(conn.client, peer, 999_999, 'x')).toEqual({ kind: 'refused', reason: 'MESSAGE_ID_INVALID' });
    const posted = await conn.post(doc, { chat: archiveId }, 'short');
    expect(await editCaption(conn.client, peer, posted.messageId, 'y'.repeat(1025))).toEqual({ kind: 'refused', reason: 'MEDIA_CAPTION_TOO_LONG' });
  });

  it('throws a transient error when Telegram asks to wait', async () => {
    const peer = inputPeer(await conn.resolve(archiveId));
    const posted = await conn.post(doc, { chat: archiveId }, 'before');
    standIn.setFault({ kind: 'floodWait', method: 'messages.editMessage', seconds: 3, count: 1 });
    await expect(editCaption(conn.client, peer, posted.messageId, 'after')).rejects.toMatchObject({ errorClass: 'transient', code: 'FLOOD_WAIT', retryAfterSec: 3 });
    expect(await editCaption(conn.client, peer, posted.messageId, 'after')).toEqual({ kind: 'edited' });
  });
});

describe('the index post', () => {
  it('is sent once per stored random id, pinned once, and a repeat after a crash posts nothing', async () => {
    const peer = inputPeer(await conn.resolve(archiveId));
    const [html] = renderIndexMessages({
      title: 'Live <night>',
      channel: 'dave',
      createdAt: '2026-01-02T03:04:05Z',
      durationSec: 120,
      parts: [{ part: 1, durationSec: 120, link: 'https://t.me/vod_archive/2' }],
      chapters: [{ title: 'Chess', vodStartSec: 0, part: 1, offsetSec: 0 }],
    });
    const before = standIn.state().messages[archiveId]!.length;
    const sent = await sendIndexMessage(conn.client, peer, html!, '7777001');
    expect(sent.messageId).toBeGreaterThan(0);
    expect(await sendIndexMessage(conn.client, peer, html!, '7777001')).toEqual({ messageId: null });
    const messages = standIn.state().messages[archiveId]!;
    expect(messages.length).toBe(before + 1);
    expect(messages.at(-1)!.text).toContain('Part 1 (2:00)');
    expect(messages.at(-1)!.entities).toContainEqual(expect.objectContaining({ type: 'MessageEntityTextUrl', url: 'https://t.me/vod_archive/2' }));

    expect(await pinMessage(conn.client, peer, sent.messageId!)).toEqual({ kind: 'pinned' });
    expect(await pinMessage(conn.client, peer, sent.messageId!)).toEqual({ kind: 'pinned' });
    expect(standIn.state().messages[archiveId]!.find((m) => m.id === sent.messageId)!.pinned).toBe(true);
    expect(await pinMessage(conn.client, peer, 999_999)).toEqual({ kind: 'refused', reason: 'MESSAGE_ID_INVALID' });
  });
});
