import { createHash, randomBytes } from 'node:crypto';
import { Api, errors } from 'telegram';
import type { TelegramClient } from 'telegram';
import { CustomFile } from 'telegram/client/uploads';
import { readBigIntFromBuffer } from 'telegram/Helpers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramStandIn } from '../fakes/telegram';
import type { TelegramStandIn } from '../fakes/telegram';
import { client, destroyClients, loginWithCode } from './helpers';

let s: TelegramStandIn;
let c: TelegramClient;
const peers = new Map<string, Api.TypeInputPeer>();

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function randomId() {
  return readBigIntFromBuffer(randomBytes(8), true, true);
}

/** A minimal JPEG header (SOF0 320x180): enough for the stand-in to read the thumbnail's size. */
function tinyJpeg(): Buffer {
  return Buffer.concat([
    Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
    Buffer.from('ffc0001108', 'hex'),
    Buffer.from([0x00, 0xb4, 0x01, 0x40]),
    Buffer.from('03012200021101031101', 'hex'),
    randomBytes(2000),
    Buffer.from('ffd9', 'hex'),
  ]);
}

/** The exported sender uploads go through (GramJS types it and its send() as possibly undefined). */
async function partSender(dcId = c.session.dcId): Promise<{ send(req: Api.AnyRequest): Promise<unknown> }> {
  const sender = await c.getSender(dcId);
  if (!sender) throw new Error(`no sender for DC ${dcId}`);
  return {
    send(req) {
      const sent = sender.send(req);
      if (!sent) throw new Error('sender.send returned nothing');
      return sent;
    },
  };
}

beforeAll(async () => {
  s = await startTelegramStandIn();
  c = client(s);
  await loginWithCode(c, '+15550000001', ['12345']);
  for (const d of await c.getDialogs({})) peers.set(d.title ?? '', d.inputEntity);
});
afterEach(() => s.clearFaults());
afterAll(async () => {
  await destroyClients();
  await s.close();
});

describe('uploads over MTProto', () => {
  it('reassembles a ~3 MB file sent with upload.saveFilePart over an extra connection', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 777);
    const file = await c.uploadFile({ file: new CustomFile('part.mp4', data.length, '', data), workers: 4 });
    expect(file).toBeInstanceOf(Api.InputFile);
    // A small file is finished when it is used: resolve it through uploadMedia.
    const media = await c.invoke(
      new Api.messages.UploadMedia({
        peer: peers.get('VOD Archive'),
        media: new Api.InputMediaUploadedDocument({ file, mimeType: 'video/mp4', attributes: [] }),
      }),
    );
    expect(media).toBeInstanceOf(Api.MessageMediaDocument);
    const rec = s.state().uploads.find((u) => u.fileId === file.id.toString());
    expect(rec).toMatchObject({ big: false, size: data.length, sha256: sha256(data), parts: file.parts });
    const stats = s.stats();
    expect(stats.requests['upload.SaveFilePart']).toBe(file.parts);
    // The main connection plus the exported sender the upload used.
    expect(stats.connections).toBeGreaterThanOrEqual(2);
  });

  it('reassembles a file over 10 MiB sent with upload.saveBigFilePart', async () => {
    const data = randomBytes(10 * 1024 * 1024 + 64 * 1024 + 5);
    const file = await c.uploadFile({ file: new CustomFile('big.mp4', data.length, '', data), workers: 8 });
    expect(file).toBeInstanceOf(Api.InputFileBig);
    const rec = s.state().uploads.find((u) => u.fileId === file.id.toString());
    expect(rec).toMatchObject({ big: true, size: data.length, sha256: sha256(data), parts: file.parts });
  });

  it('posts with sendFile: video attributes, file name, thumbnail and caption entities are recorded', async () => {
    const data = randomBytes(200_000);
    const msg = await c.sendFile(peers.get('VOD Archive') as Api.TypeInputPeer, {
      file: new CustomFile('stream-part1.mp4', data.length, '', data),
      caption: '<b>Stream</b> part 1/2 <a href="https://www.twitch.tv/videos/1">VOD</a>',
      parseMode: 'html',
      thumb: tinyJpeg(),
      attributes: [new Api.DocumentAttributeVideo({ duration: 61.5, w: 1280, h: 720, supportsStreaming: true })],
    });
    expect(msg.id).toBeGreaterThan(1);
    const chat = s.state().chats.find((x) => x.title === 'VOD Archive');
    const posted = s.state().messages[`-100${chat?.id}`].find((m) => m.id === msg.id);
    expect(posted?.text).toBe('Stream part 1/2 VOD');
    expect(posted?.entities).toEqual([
      { type: 'MessageEntityBold', offset: 0, length: 6 },
      { type: 'MessageEntityTextUrl', offset: 16, length: 3, url: 'https://www.twitch.tv/videos/1' },
    ]);
    expect(posted?.media).toMatchObject({
      size: data.length,
      sha256: sha256(data),
      mimeType: 'video/mp4',
      fileName: 'stream-part1.mp4',
      video: { duration: 61.5, w: 1280, h: 720, supportsStreaming: true },
      thumb: { jpeg: { w: 320, h: 180 } },
    });
  });

  it('uploads once with uploadMedia and posts the same document to several chats and a forum topic', async () => {
    const data = randomBytes(300_000);
    const file = await c.uploadFile({ file: new CustomFile('p.mp4', data.length, '', data), workers: 2 });
    const media = (await c.invoke(
      new Api.messages.UploadMedia({
        peer: peers.get('VOD Archive'),
        media: new Api.InputMediaUploadedDocument({
          file,
          mimeType: 'video/mp4',
          attributes: [new Api.DocumentAttributeVideo({ duration: 10, w: 640, h: 360, supportsStreaming: true }), new Api.DocumentAttributeFilename({ fileName: 'p.mp4' })],
        }),
      }),
    )) as Api.MessageMediaDocument;
    const doc = media.document as Api.Document;
    expect(doc.attributes.some((a) => a instanceof Api.DocumentAttributeVideo && a.supportsStreaming)).toBe(true);
    const input = new Api.InputMediaDocument({
      id: new Api.InputDocument({ id: doc.id, accessHash: doc.accessHash, fileReference: doc.fileReference }),
    });
    const send = (title: string, text: string, replyTo?: Api.InputReplyToMessage) =>
      c.invoke(new Api.messages.SendMedia({ peer: peers.get(title), media: input, message: text, randomId: randomId(), replyTo }));
    const results = [
      await send('VOD Archive', 'to channel'),
      await send('VOD Chat', 'to supergroup'),
      await send('VOD Forum', 'to topic', new Api.InputReplyToMessage({ replyToMsgId: 3, topMsgId: 3 })),
      await send('VOD Chat', 'again'),
    ];
    for (const r of results) {
      expect(r).toBeInstanceOf(Api.Updates);
      expect((r as Api.Updates).updates[0]).toBeInstanceOf(Api.UpdateMessageID);
    }
    const state = s.state();
    const inChat = (title: string) => state.messages[`-100${state.chats.find((x) => x.title === title)?.id}`];
    const all = [...inChat('VOD Archive'), ...inChat('VOD Chat'), ...inChat('VOD Forum')].filter((m) => m.media?.documentId === doc.id.toString());
    expect(all).toHaveLength(4);
    expect(new Set(all.map((m) => m.media?.uploadFileId))).toEqual(new Set([file.id.toString()]));
    expect(inChat('VOD Forum').at(-1)).toMatchObject({ text: 'to topic', topicId: 3 });
    const chatIds = inChat('VOD Chat').map((m) => m.id);
    expect(chatIds.slice(-2)[1]).toBe(chatIds.slice(-2)[0] + 1);
    // Only one file went up for four posts.
    expect(state.uploads.filter((u) => u.fileId === file.id.toString())).toHaveLength(1);
  });

  it('refuses what Telegram refuses: long captions, read-only channels, duplicate random ids, missing parts', async () => {
    const data = randomBytes(5000);
    const file = await c.uploadFile({ file: new CustomFile('x.mp4', data.length, '', data), workers: 1 });
    const media = (await c.invoke(
      new Api.messages.UploadMedia({
        peer: peers.get('VOD Archive'),
        media: new Api.InputMediaUploadedDocument({ file, mimeType: 'video/mp4', attributes: [] }),
      }),
    )) as Api.MessageMediaDocument;
    const doc = media.document as Api.Document;
    const input = new Api.InputMediaDocument({
      id: new Api.InputDocument({ id: doc.id, accessHash: doc.accessHash, fileReference: doc.fileReference }),
    });
    const send = (title: string, message: string, rid = randomId()) => c.invoke(new Api.messages.SendMedia({ peer: peers.get(title), media: input, message, randomId: rid }));
    await expect(send('VOD Archive', 'x'.repeat(1025))).rejects.toMatchObject({ errorMessage: 'MEDIA_CAPTION_TOO_LONG' });
    await expect(send('Read Only News', 'hi')).rejects.toMatchObject({ errorMessage: 'CHAT_WRITE_FORBIDDEN' });
    const rid = randomId();
    await send('VOD Archive', 'once', rid);
    await expect(send('VOD Archive', 'twice', rid)).rejects.toMatchObject({ errorMessage: 'RANDOM_ID_DUPLICATE' });

    const sender = await partSender();
    const fileId = randomId();
    const parts = [randomBytes(1024), randomBytes(1024), randomBytes(100)];
    await sender.send(new Api.upload.SaveFilePart({ fileId, filePart: 0, bytes: parts[0] }));
    await sender.send(new Api.upload.SaveFilePart({ fileId, filePart: 2, bytes: parts[2] }));
    const fresh = () =>
      new Api.InputMediaUploadedDocument({
        file: new Api.InputFile({ id: fileId, parts: 3, name: 'gap.mp4', md5Checksum: '' }),
        mimeType: 'video/mp4',
        attributes: [],
      });
    await expect(c.invoke(new Api.messages.SendMedia({ peer: peers.get('VOD Archive'), media: fresh(), message: '', randomId: randomId() }))).rejects.toMatchObject({
      errorMessage: 'FILE_PART_1_MISSING',
    });
    await sender.send(new Api.upload.SaveFilePart({ fileId, filePart: 1, bytes: parts[1] }));
    await c.invoke(new Api.messages.SendMedia({ peer: peers.get('VOD Archive'), media: fresh(), message: '', randomId: randomId() }));
    expect(s.state().uploads.find((u) => u.fileId === fileId.toString())?.sha256).toBe(sha256(Buffer.concat(parts)));
  });
});

describe('other DCs', () => {
  it('a sender for another DC gets its own auth key, bound by auth.exportAuthorization/importAuthorization', async () => {
    const keysBefore = s.state().sessions.length;
    const sender = await partSender(1);
    await expect(sender.send(new Api.upload.SaveFilePart({ fileId: randomId(), filePart: 0, bytes: randomBytes(1024) }))).resolves.toBe(true);
    const requests = s.stats().requests;
    expect(requests['auth.ExportAuthorization']).toBe(1);
    expect(requests['auth.ImportAuthorization']).toBe(1);
    const me = await c.getMe();
    const sessions = s.state().sessions;
    expect(sessions.length).toBe(keysBefore + 1);
    expect(sessions.at(-1)?.userId).toBe(Number(me.id));
  });
});

describe('injected faults', () => {
  it('FLOOD_WAIT reaches the client as FloodWaitError on a part and on an invoke', async () => {
    const sender = await partSender();
    s.setFault({ kind: 'floodWait', method: 'upload.saveBigFilePart', seconds: 7 });
    const part = new Api.upload.SaveBigFilePart({ fileId: randomId(), filePart: 0, fileTotalParts: 2, bytes: randomBytes(1024) });
    const err = await sender.send(part).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.FloodWaitError);
    expect((err as errors.FloodWaitError).seconds).toBe(7);
    // count 1: the retry goes through.
    await expect(sender.send(part)).resolves.toBe(true);

    s.setFault({ kind: 'floodWait', method: 'messages.GetDialogs', seconds: 3600 });
    const err2 = await c.getDialogs({}).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(errors.FloodWaitError);
    expect((err2 as errors.FloodWaitError).seconds).toBe(3600);
  });

  it('answers any RPC error a given number of times', async () => {
    const sender = await partSender();
    s.setFault({ kind: 'rpcError', method: 'upload.SaveFilePart', code: 400, message: 'FILE_PART_INVALID', count: 2 });
    const part = new Api.upload.SaveFilePart({ fileId: randomId(), filePart: 0, bytes: randomBytes(1024) });
    for (let i = 0; i < 2; i++) await expect(sender.send(part)).rejects.toMatchObject({ errorMessage: 'FILE_PART_INVALID' });
    await expect(sender.send(part)).resolves.toBe(true);
    expect(s.faults()[0]).toMatchObject({ fired: 2, remaining: 0 });
  });

  it('stalls one upload part (never answered) while later parts are answered', async () => {
    const sender = await partSender();
    const fileId = randomId();
    s.setFault({ kind: 'stall', method: 'upload.saveFilePart', part: 0 });
    let settled = false;
    void sender
      .send(new Api.upload.SaveFilePart({ fileId, filePart: 0, bytes: randomBytes(1024) }))
      .then(() => (settled = true))
      .catch(() => undefined);
    await sender.send(new Api.upload.SaveFilePart({ fileId, filePart: 1, bytes: randomBytes(1024) }));
    await sender.send(new Api.upload.SaveFilePart({ fileId, filePart: 2, bytes: randomBytes(1024) }));
    expect(settled).toBe(false);
    expect(s.faults()[0].fired).toBe(1);
    // A retry of the stalled part (as the uploader's per-part timeout does) is answered.
    await expect(sender.send(new Api.upload.SaveFilePart({ fileId, filePart: 0, bytes: randomBytes(1024) }))).resolves.toBe(true);
  });

  it('drops the connection on a request; GramJS reconnects and the request is answered', async () => {
    const before = s.stats().accepted;
    const sender = await partSender();
    s.setFault({ kind: 'dropConnection', method: 'upload.SaveFilePart' });
    await expect(sender.send(new Api.upload.SaveFilePart({ fileId: randomId(), filePart: 0, bytes: randomBytes(1024) }))).resolves.toBe(true);
    expect(s.faults()[0].fired).toBe(1);
    // The answer came over a new connection (GramJS's reconnect after the drop).
    expect(s.stats().accepted).toBeGreaterThan(before);
  });

  it('answers parts after the configured per-part delay, with many in flight at once', async () => {
    s.setPartDelay(300);
    try {
      const sender = await partSender();
      const fileId = randomId();
      let answered = 0;
      const sends = Array.from({ length: 8 }, (_, i) => sender.send(new Api.upload.SaveFilePart({ fileId, filePart: i, bytes: randomBytes(1024) })).then(() => answered++));
      // All eight are held by the server at once: none is answered before the delay.
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(0);
      await Promise.all(sends);
      expect(answered).toBe(8);
    } finally {
      s.setPartDelay(0);
    }
  });
});
