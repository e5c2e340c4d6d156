/**
 * Integration against the project's MTProto stand-in (test/fakes/telegram): an unmodified GramJS
 * client with real key exchange, IGE and TCP connections on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram/server';
import { LoginFlow, TelegramConnection } from '../../electron/engine/telegram/gramjs';
import { memoryPeerCache, PART_SIZE, type PeerCache, type StoredDocument, type UploadResume } from '../../electron/engine/telegram/types';
import { renderCaption } from '../../electron/engine/telegram/caption';
import { ackedParts } from '../../electron/engine/telegram/uploader';
import { TelegramPublisher } from '../../electron/engine/telegram/publish';
import type { LoginStep } from '../../electron/contract/domain';
import { recentLogLines } from '../../electron/engine/util/log';
import { redact } from '../../electron/engine/util/redact';

const API_ID = 12345;
const API_HASH = '0123456789abcdef0123456789abcdef';
let standIn: TelegramStandIn;
let dir: string;
const open: TelegramConnection[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-standin-'));
  standIn = await startTelegramStandIn({ stateFile: join(dir, 'state.json') });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(session = '', peers?: PeerCache, onSession?: (s: string) => void): Promise<TelegramConnection> {
  const conn = await TelegramConnection.connect({
    apiId: API_ID,
    apiHash: API_HASH,
    session,
    onSession,
    peers,
    testServer: { host: standIn.host, port: standIn.port, dcId: standIn.dcId, publicKeyPem: standIn.publicKeyPem },
  });
  open.push(conn);
  return conn;
}

async function loginAlice(onSession?: (s: string) => void): Promise<TelegramConnection> {
  const conn = await connect('', undefined, onSession);
  const flow = new LoginFlow(conn, API_ID, API_HASH);
  expect(await flow.start({ phone: '+1 555 000 0001' })).toMatchObject({ step: 'code', via: 'app' });
  expect(await flow.submitCode('12345')).toMatchObject({ step: 'done' });
  return conn;
}

describe('login against the MTProto stand-in', () => {
  it('code login: wrong code asks again, expired code restarts, session survives a restart', async () => {
    let saved = '';
    const conn = await connect('', undefined, (s) => (saved = s));
    const steps: LoginStep[] = [];
    const flow = new LoginFlow(conn, API_ID, API_HASH, (s) => steps.push(s));
    expect(await flow.start({ phone: 'not a phone' })).toMatchObject({ step: 'phone', error: expect.stringMatching(/international/) });
    expect(await flow.start({ phone: '+15550000001' })).toEqual({ step: 'code', via: 'app', codeLength: 5 });
    expect(await flow.submitCode('99999')).toMatchObject({ step: 'code', via: 'app', error: 'Wrong code, try again.' });
    standIn.expireLoginCodes();
    expect(await flow.submitCode('12345')).toMatchObject({ step: 'code', error: expect.stringMatching(/expired; a new one was sent/) });
    const done = await flow.submitCode('12345');
    expect(done).toEqual({ step: 'done', account: { id: expect.any(String), name: 'Alice', username: 'alice', premium: false, bot: false } });
    expect(steps.map((s) => s.step)).toEqual(['phone', 'code', 'code', 'code', 'done']);
    expect(saved.length).toBeGreaterThan(100);
    await conn.close();
    // A fresh client with the saved session is logged in.
    const again = await connect(saved);
    expect(await again.account()).toMatchObject({ name: 'Alice' });
    // Secrets never reach the log (and the log did record the login).
    const logText = recentLogLines(1000)
      .map((l) => l.message)
      .join('\n');
    expect(logText).toContain('logged in as user');
    for (const secret of [saved, '15550000001', API_HASH]) expect(logText).not.toContain(secret);
    expect(redact(`session=${saved} phone +1 555 000 0001`)).not.toMatch(/15550000001|555 000 0001/);
  });

  it('2FA: code by SMS, then the password with its hint; a wrong password asks again', async () => {
    const conn = await connect();
    const flow = new LoginFlow(conn, API_ID, API_HASH);
    expect(await flow.start({ phone: '+15550000002' })).toMatchObject({ step: 'code', via: 'sms' });
    expect(await flow.submitCode('22222')).toEqual({ step: 'password', hint: 'the usual' });
    expect(await flow.submitPassword('hunter3')).toEqual({ step: 'password', hint: 'the usual', error: 'Wrong password, try again.' });
    expect(await flow.submitPassword('hunter2')).toMatchObject({ step: 'done', account: { name: 'Bob' } });
  });

  it('QR login: emits the URL and finishes when the code is scanned', async () => {
    const conn = await connect();
    const steps: LoginStep[] = [];
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const flow = new LoginFlow(conn, API_ID, API_HASH, (s) => {
      steps.push(s);
      if (s.step === 'done') resolveDone();
    });
    const qr = await flow.startQr();
    expect(qr).toMatchObject({ step: 'qr', url: expect.stringMatching(/^tg:\/\/login\?token=[A-Za-z0-9_-]+$/) });
    expect(Date.parse((qr as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now());
    standIn.scanQr((qr as { url: string }).url, '+15550000003');
    await done;
    expect(steps.at(-1)).toMatchObject({ step: 'done', account: { name: 'Carol', premium: true } });
  });

  it('QR login of an account with 2FA continues with the password step', async () => {
    const conn = await connect();
    let resolvePw!: () => void;
    const pw = new Promise<void>((r) => (resolvePw = r));
    const flow = new LoginFlow(conn, API_ID, API_HASH, (s) => s.step === 'password' && resolvePw());
    const qr = await flow.startQr();
    standIn.scanQr((qr as { url: string }).url, '+15550000002');
    await pw;
    expect(flow.step).toEqual({ step: 'password', hint: 'the usual' });
    expect(await flow.submitPassword('hunter2')).toMatchObject({ step: 'done', account: { name: 'Bob' } });
  });

  it('bot token login, and a bad token is a clear failure', async () => {
    const conn = await connect();
    const flow = new LoginFlow(conn, API_ID, API_HASH);
    expect(await flow.botLogin('nonsense')).toMatchObject({ step: 'failed', error: expect.stringMatching(/BotFather/) });
    expect(await flow.botLogin('123456:STANDIN-BOT-TOKEN')).toMatchObject({ step: 'done', account: { bot: true } });
  });

  it('bad settings fail clearly: unreadable session, bad key, bad port, bad API hash', async () => {
    const base = { apiId: API_ID, apiHash: API_HASH, testServer: { host: standIn.host, port: standIn.port, dcId: standIn.dcId, publicKeyPem: standIn.publicKeyPem } };
    await expect(TelegramConnection.connect({ ...base, session: 'garbage' })).rejects.toMatchObject({ errorClass: 'login', code: 'TELEGRAM_SESSION_INVALID' });
    await expect(
      TelegramConnection.connect({ ...base, testServer: { ...base.testServer, publicKeyPem: '-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----' } }),
    ).rejects.toMatchObject({ code: 'TELEGRAM_SERVER_KEY' });
    await expect(TelegramConnection.connect({ ...base, testServer: { ...base.testServer, port: 40000 } })).rejects.toMatchObject({ code: 'TELEGRAM_SERVER_PORT' });
    await expect(TelegramConnection.connect({ ...base, apiHash: 'nope' })).rejects.toMatchObject({ code: 'TELEGRAM_API_HASH' });
  });

  it('logout clears the stored session and the server forgets it', async () => {
    const sessions: string[] = [];
    const conn = await loginAlice((s) => sessions.push(s));
    const saved = sessions.at(-1)!;
    const flow = new LoginFlow(conn, API_ID, API_HASH);
    expect(await flow.logout()).toEqual({ step: 'idle' });
    expect(sessions.at(-1)).toBe('');
    const again = await connect(saved);
    expect(await again.isAuthorized()).toBe(false);
  });

  it('a session revoked elsewhere becomes "login needed"', async () => {
    const conn = await loginAlice();
    expect(await conn.isAuthorized()).toBe(true);
    standIn.revokeSessions('+15550000001');
    await expect(conn.account(true)).rejects.toMatchObject({ errorClass: 'login', code: 'TELEGRAM_LOGIN_NEEDED' });
    expect(await conn.isAuthorized()).toBe(false);
  });
});

describe('destinations, upload and posting against the MTProto stand-in', () => {
  let file: string;
  let data: Buffer;
  const SIZE = 11 * 1024 * 1024 + 4321; // > 10 MiB: saveBigFilePart, 23 parts

  beforeAll(() => {
    data = randomBytes(SIZE);
    file = join(dir, 'part 1.mp4');
    writeFileSync(file, data);
    writeFileSync(join(dir, 'thumb.jpg'), randomBytes(5000));
  });

  it('lists chats the account may post in, with forum topics, and keeps access hashes', async () => {
    const peers = memoryPeerCache();
    const conn = await loginAlice();
    const again = await connect(conn.sessionString(), peers);
    const chats = await again.listChats();
    expect(chats.map((c) => [c.title, c.kind])).toEqual([
      ['VOD Archive', 'channel'],
      ['VOD Chat', 'supergroup'],
      ['VOD Forum', 'forum'],
      ['Old Group', 'group'],
    ]);
    expect(chats.find((c) => c.kind === 'forum')!.topics).toEqual([
      { id: 2, title: 'Streams' },
      { id: 3, title: 'Clips' },
    ]);
    const archive = chats[0]!;
    expect(peers.get(archive.id)?.accessHash).toMatch(/^-?\d+$/);
    expect((await again.resolve('@VOD_archive')).id).toBe(archive.id);
    // A fresh session with an empty cache still accepts a legacy -100… id (looked up once).
    const fresh = await connect(conn.sessionString());
    expect(await fresh.resolve(archive.id)).toMatchObject({ id: archive.id, kind: 'channel', accessHash: peers.get(archive.id)!.accessHash });
    await expect(again.resolve('-1009999999999')).rejects.toMatchObject({ errorClass: 'permanent', code: 'CHAT_NOT_FOUND' });
    await expect(again.resolve('hello')).rejects.toThrow(/not a chat id/);
  });

  it('uploads with K parts in flight (byte-for-byte on the server), posts one upload to 2 destinations', async () => {
    const peers = memoryPeerCache();
    const conn = await loginAlice();
    const chats = await conn.listChats();
    for (const [k, v] of (conn.peers as ReturnType<typeof memoryPeerCache>).entries) peers.entries.set(k, v);
    const fractions: number[] = [];
    const up = await conn.upload({ path: file, inFlight: 6, connections: 3, onProgress: (p) => fractions.push(p.fraction) });
    expect(up).toMatchObject({ totalParts: 23, big: true, size: SIZE, resumed: false });
    expect(fractions.at(-1)).toBe(1);
    const doc = await conn.uploadMedia(up, { durationSec: 61.6, width: 1280, height: 720, fileName: 'part 1', thumbPath: join(dir, 'thumb.jpg') });
    const sha = createHash('sha256').update(data).digest('hex');
    expect(JSON.stringify(standIn.state().uploads)).toContain(sha);

    // Post after a restart: fresh session client, peers from the (persisted) cache, stored document.
    const restarted = await connect(conn.sessionString(), peers);
    const caption = renderCaption(
      { title: 'Big <night> & stuff', channel: 'x', createdAt: '2026-01-02T03:04:05Z', part: 1, parts: 3, durationSec: 62, url: 'https://twitch.tv/videos/1' },
      { template: '<b>{title}</b> ({date}) - Part {part}/{parts}' },
    );
    const forum = chats.find((c) => c.kind === 'forum')!;
    const a = await restarted.post(doc, { chat: chats[0]!.id }, caption);
    const b = await restarted.post(doc, { chat: forum.id, topicId: 2 }, caption);
    expect(a.messageId).toBeGreaterThan(0);
    expect(a.link).toBe(`https://t.me/vod_archive/${a.messageId}`);
    expect(b.link).toBe(`https://t.me/c/${forum.id.slice(4)}/2/${b.messageId}`);
    const state = standIn.state();
    const posted = [state.messages[chats[0]!.id]!.at(-1)!, state.messages[forum.id]!.at(-1)!];
    const text = JSON.stringify(posted);
    expect(text).toContain('Big <night> & stuff (02/01/2026) - Part 1/3');
    expect(text).toContain('supportsStreaming');
    expect(text).toMatch(/part 1\.mp4/);
    expect(state.uploads.filter((u) => JSON.stringify(u).includes(sha))).toHaveLength(1);
    expect(JSON.stringify(posted[1])).toMatch(/"(topicId|replyTo|topMsgId|threadId)":2/);
  });

  it('resume after abort sends only the missing parts; FLOOD_WAIT is honoured', async () => {
    const conn = await loginAlice();
    const ac = new AbortController();
    let last: UploadResume | undefined;
    await expect(
      conn.upload({
        path: file,
        inFlight: 2,
        signal: ac.signal,
        onPartAcked: (s) => {
          last = s;
          if (ackedParts(s).length === 10) ac.abort();
        },
      }),
    ).rejects.toMatchObject({ errorClass: 'cancelled' });
    const before = standIn.stats().requests;
    const count = (r: Record<string, number>) =>
      Object.entries(r)
        .filter(([k]) => /savebigfilepart/i.test(k))
        .reduce((n, [, v]) => n + v, 0);
    const waits: number[] = [];
    standIn.setFault({ kind: 'floodWait', method: 'upload.SaveBigFilePart', seconds: 1, count: 1 });
    const up = await conn.upload({ path: file, resume: last, inFlight: 4, onFloodWait: (s) => waits.push(s) });
    expect(up.resumed).toBe(true);
    expect(waits).toEqual([1]);
    const sent = count(standIn.stats().requests) - count(before);
    // Only the missing parts (the stand-in may or may not count the one refused with FLOOD_WAIT).
    expect(sent).toBeGreaterThanOrEqual(23 - ackedParts(last!).length);
    expect(sent).toBeLessThanOrEqual(23 - ackedParts(last!).length + 1);
    expect(ackedParts(last!).length).toBeGreaterThanOrEqual(10);
    await conn.uploadMedia(up, { durationSec: 1, width: 2, height: 2, fileName: 'x.mp4' });
    expect(JSON.stringify(standIn.state().uploads)).toContain(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(PART_SIZE).toBe(524288);
  });

  it('a stalled part and a dropped connection are retried; the file still arrives byte for byte', async () => {
    const conn = await loginAlice();
    standIn.setFault({ kind: 'stall', method: 'upload.SaveBigFilePart', count: 1, part: 4 });
    standIn.setFault({ kind: 'dropConnection', method: 'upload.SaveBigFilePart', count: 1 });
    const up = await conn.upload({ path: file, inFlight: 4, connections: 2, partTimeoutMs: 2000 });
    await conn.uploadMedia(up, { durationSec: 1, width: 2, height: 2, fileName: 'y.mp4' });
    const fired = standIn.faults().filter((f) => f.spec.kind === 'stall' || f.spec.kind === 'dropConnection');
    expect(fired.map((f) => [f.spec.kind, f.fired])).toEqual([
      ['stall', 1],
      ['dropConnection', 1],
    ]);
    const sha = createHash('sha256').update(data).digest('hex');
    expect(standIn.state().uploads.filter((u) => JSON.stringify(u).includes(sha)).length).toBeGreaterThanOrEqual(1);
  });

  it('alerts reach the alert chat as escaped HTML, rate limited', async () => {
    const { AlertSender } = await import('../../electron/engine/telegram/alerts');
    const conn = await loginAlice();
    const chats = await conn.listChats();
    const target = chats.find((c) => c.title === 'VOD Chat')!;
    const alerts = new AlertSender((html) => conn.sendText({ chat: target.id }, html));
    expect(await alerts.alert({ kind: 'disk_full', key: 'disk', title: 'Disk full <C:>', detail: 'free 0 B' })).toBe(true);
    expect(await alerts.alert({ kind: 'disk_full', key: 'disk', title: 'Disk full <C:>' })).toBe(false);
    const last = standIn.state().messages[target.id]!.at(-1)!;
    expect(JSON.stringify(last)).toContain('Disk full <C:>');
  });

  it('the publisher uploads again from the start when Telegram forgot a resumed upload', async () => {
    const conn = await loginAlice();
    const ac = new AbortController();
    let resume: UploadResume | undefined;
    await conn
      .upload({
        path: file,
        inFlight: 1,
        signal: ac.signal,
        onPartAcked: (s) => {
          resume = s;
          if (ackedParts(s).length === 2) ac.abort();
        },
      })
      .catch(() => undefined);
    const first = resume!;
    standIn.forgetUnfinishedUploads();
    let doc: StoredDocument | undefined;
    const ids: string[] = [];
    const keeper = {
      document: () => doc,
      resume: () => resume,
      saveResume: (s: UploadResume | null) => {
        resume = s ?? undefined;
        ids.push(s ? s.fileId : 'cleared');
      },
      saveDocument: (d: StoredDocument | null) => void (doc = d ?? undefined),
    };
    const publisher = new TelegramPublisher(async () => conn, { premium: false, inFlight: () => 1, signal: new AbortController().signal });
    const part = { path: file, bytes: readFileSync(file).length, fileName: 'again.mp4', durationSec: 3, width: 4, height: 4 };
    const document = await publisher.document(part, keeper);
    // The resumed parts went to the old file id until uploadMedia said UPLOAD_EXPIRED; then a fresh upload.
    const cleared = ids.indexOf('cleared');
    expect(cleared).toBeGreaterThan(0);
    expect(ids.slice(cleared + 1).length).toBeGreaterThan(0);
    expect(ids.slice(cleared + 1).every((id) => id !== first.fileId)).toBe(true);
    expect(document.id).toMatch(/^\d+$/);
    expect(doc).toEqual(document);
  });

  it('an upload Telegram forgot is reported as UPLOAD_EXPIRED (caller uploads again)', async () => {
    const conn = await loginAlice();
    const ac = new AbortController();
    let last: UploadResume | undefined;
    await conn
      .upload({
        path: file,
        inFlight: 1,
        signal: ac.signal,
        onPartAcked: (s) => {
          last = s;
          if (ackedParts(s).length === 3) ac.abort();
        },
      })
      .catch(() => undefined);
    standIn.forgetUnfinishedUploads();
    const up = await conn.upload({ path: file, resume: last, inFlight: 4 });
    await expect(conn.uploadMedia(up, { durationSec: 1, width: 2, height: 2, fileName: 'x' })).rejects.toMatchObject({ code: 'UPLOAD_EXPIRED', errorClass: 'transient' });
  });
});
