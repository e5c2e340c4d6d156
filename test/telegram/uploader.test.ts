import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Api, errors } from 'telegram';
import { uploadFile, canResume, ackedParts, type PartRequest, type PartTransport } from '../../electron/engine/telegram/uploader';
import { EngineError } from '../../electron/engine/util/errors';
import { PART_SIZE, type UploadResume } from '../../electron/engine/telegram/types';

let dir: string;
let path: string;
let data: Buffer;
const PARTS = 23; // last part short

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-upload-'));
  path = join(dir, 'part1.mp4');
  data = randomBytes(PART_SIZE * (PARTS - 1) + 12345);
  writeFileSync(path, data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rpc(message: string, code = 400): Error {
  const req = new Api.upload.SaveBigFilePart({ fileId: 1 as never, filePart: 0, fileTotalParts: 1, bytes: Buffer.alloc(0) });
  return errors.RPCMessageToError(new Api.RpcError({ errorCode: code, errorMessage: message }), req);
}

/** A fake Telegram: stores parts, answers when the test releases them, can fail parts on cue. */
class FakeTransport implements PartTransport {
  readonly stored = new Map<string, Map<number, Buffer>>();
  inFlight = 0;
  stalled?: (conn: number) => void;
  maxInFlight = 0;
  sends: Array<{ conn: number; part: number }> = [];
  fail: (req: PartRequest, attempt: number) => Error | 'hang' | undefined = () => undefined;
  private attempts = new Map<number, number>();
  /** Sends wait until this many are in flight at once (then the latch stays open). */
  latch = 0;
  private latchOpen?: () => void;
  private latched = new Promise<void>((r) => (this.latchOpen = r));
  /** Part held until every other part was stored: a batch barrier would deadlock here. */
  holdPart = -1;
  private allOthersSent?: () => void;
  private othersSent = new Promise<void>((r) => (this.allOthersSent = r));
  constructor(readonly connections: number) {}
  async sendPart(conn: number, req: PartRequest): Promise<boolean> {
    this.sends.push({ conn, part: req.part });
    const attempt = (this.attempts.get(req.part) ?? 0) + 1;
    this.attempts.set(req.part, attempt);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setImmediate(r));
      if (this.inFlight >= this.latch) this.latchOpen!();
      await this.latched;
      if (req.part === this.holdPart) await this.othersSent;
      const f = this.fail(req, attempt);
      if (f === 'hang') return await new Promise<boolean>(() => {});
      if (f) throw f;
      expect(req.totalParts).toBe(PARTS);
      expect(req.big).toBe(true);
      let file = this.stored.get(req.fileId);
      if (!file) this.stored.set(req.fileId, (file = new Map()));
      file.set(req.part, Buffer.from(req.bytes));
      if (file.size === PARTS - 1 && !file.has(this.holdPart)) setTimeout(() => this.allOthersSent!(), 20);
      return true;
    } finally {
      this.inFlight--;
    }
  }
  assembled(fileId: string): Buffer {
    const file = this.stored.get(fileId)!;
    return Buffer.concat([...Array(PARTS).keys()].map((p) => file.get(p)!));
  }
}

describe('uploader part loop', () => {
  it('keeps K parts in flight over several connections and reassembles byte for byte', async () => {
    const t = new FakeTransport(3);
    t.latch = 6;
    t.holdPart = 0;
    const progress: number[] = [];
    const acks: number[] = [];
    const up = await uploadFile(t, {
      path,
      inFlight: 6,
      onProgress: (p) => progress.push(p.fraction),
      onPartAcked: (_s, part) => void acks.push(part),
    });
    expect(up.totalParts).toBe(PARTS);
    expect(up.big).toBe(true);
    expect(t.assembled(up.fileId).equals(data)).toBe(true);
    expect(t.maxInFlight).toBe(6);
    expect(new Set(t.sends.map((s) => s.conn))).toEqual(new Set([0, 1, 2]));
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Part 0 was acknowledged last: the others did not wait for it (sliding window).
    expect(acks.at(-1)).toBe(0);
    expect(acks.sort((a, b) => a - b)).toEqual([...Array(PARTS).keys()]);
  });

  it('retries a stalled part on another connection after its timeout', async () => {
    const t = new FakeTransport(2);
    const stalled: number[] = [];
    t.stalled = (c) => void stalled.push(c);
    t.fail = (req, attempt) => (req.part === 5 && attempt === 1 ? 'hang' : undefined);
    const up = await uploadFile(t, { path, inFlight: 4, partTimeoutMs: 1500 });
    expect(t.assembled(up.fileId).equals(data)).toBe(true);
    const tries = t.sends.filter((s) => s.part === 5);
    expect(tries).toHaveLength(2);
    expect(tries[0]!.conn).not.toBe(tries[1]!.conn);
    expect(stalled).toEqual([tries[0]!.conn]);
  });

  it('honours a short FLOOD_WAIT and reports it', async () => {
    const t = new FakeTransport(1);
    t.fail = (req, attempt) => (req.part === 2 && attempt === 1 ? rpc('FLOOD_WAIT_1', 420) : undefined);
    const waits: number[] = [];
    const up = await uploadFile(t, { path, inFlight: 3, onFloodWait: (s) => waits.push(s) });
    expect(waits).toEqual([1]);
    expect(t.assembled(up.fileId).equals(data)).toBe(true);
  });

  it('a FLOOD_WAIT above the cap stops with a transient error carrying the wait', async () => {
    const t = new FakeTransport(1);
    t.fail = (req) => (req.part === 3 ? rpc('FLOOD_WAIT_3600', 420) : undefined);
    const err = await uploadFile(t, { path, floodWaitCapSec: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ errorClass: 'transient', code: 'FLOOD_WAIT', retryAfterSec: 3600 });
  });

  it('a revoked session becomes login needed, not a retry loop', async () => {
    const t = new FakeTransport(2);
    t.fail = () => rpc('AUTH_KEY_UNREGISTERED', 401);
    const err = await uploadFile(t, { path }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'login', code: 'TELEGRAM_LOGIN_NEEDED' });
    expect(t.sends.length).toBeLessThanOrEqual(8);
  });

  it('cancels on abort, and resume sends only the missing parts', async () => {
    const t = new FakeTransport(2);
    const ac = new AbortController();
    let last: UploadResume | undefined;
    const err = await uploadFile(t, {
      path,
      inFlight: 2,
      signal: ac.signal,
      onPartAcked: (s) => {
        last = s;
        if (ackedParts(s).length === 9) ac.abort();
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'cancelled' });
    expect(ackedParts(last!).length).toBeGreaterThanOrEqual(9);
    const before = new Set(ackedParts(last!));
    t.sends = [];
    const up = await uploadFile(t, { path, resume: last, inFlight: 4 });
    expect(up.fileId).toBe(last!.fileId);
    expect(up.resumed).toBe(true);
    expect(t.sends.every((s) => !before.has(s.part))).toBe(true);
    expect(t.sends.length).toBe(PARTS - before.size);
    expect(t.assembled(up.fileId).equals(data)).toBe(true);
  });

  it('records acknowledged parts in a record of constant size, and resumes from a record of the previous version', async () => {
    const t = new FakeTransport(2);
    const ac = new AbortController();
    const sizes = new Set<number>();
    let last: UploadResume | undefined;
    await uploadFile(t, {
      path,
      inFlight: 2,
      signal: ac.signal,
      onPartAcked: (s, part) => {
        expect(ackedParts(s)).toContain(part);
        sizes.add(JSON.stringify(s).length);
        last = s;
        if (ackedParts(s).length === 7) ac.abort();
      },
    }).catch(() => undefined);
    expect(sizes.size).toBe(1); // the same size after the 1st part and the 7th
    expect(last!.acked).toBeUndefined();
    // A record as the previous version stored it: the acknowledged parts as a list (unordered, with a repeat).
    const done = ackedParts(last!);
    const old: UploadResume = {
      fileId: last!.fileId,
      partSize: PART_SIZE,
      totalParts: PARTS,
      acked: [...done].reverse().concat(done[0]),
      startedAt: last!.startedAt,
      size: last!.size,
    };
    const stored = JSON.parse(JSON.stringify(old)) as UploadResume;
    t.sends = [];
    const up = await uploadFile(t, { path, resume: stored, inFlight: 3 });
    expect(up.resumed).toBe(true);
    expect(t.sends.map((s) => s.part).sort((a, b) => a - b)).toEqual(Array.from({ length: PARTS }, (_, p) => p).filter((p) => !done.includes(p)));
    expect(t.assembled(up.fileId).equals(data)).toBe(true);
  });

  it('refuses a too-old or mismatched resume record (fresh upload) and files over the part limit', () => {
    const ok: UploadResume = {
      fileId: '42',
      partSize: PART_SIZE,
      totalParts: 2,
      ackedBits: Buffer.from([1]).toString('base64'),
      startedAt: new Date(1000).toISOString(),
      size: PART_SIZE + 1,
    };
    expect(canResume(ok, PART_SIZE + 1, 2000)).toBe(true);
    expect(canResume(ok, PART_SIZE + 1, 1000 + 25 * 3600 * 1000)).toBe(false);
    expect(canResume(ok, PART_SIZE + 2, 2000)).toBe(false);
    expect(canResume({ ...ok, partSize: 1024 }, PART_SIZE + 1, 2000)).toBe(false);
  });

  it('gives a clear error for a missing file', async () => {
    const err = await uploadFile(new FakeTransport(1), { path: join(dir, 'nope.mp4') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'permanent', code: 'UPLOAD_FILE_MISSING' });
    expect((err as Error).message).toContain('nope.mp4');
  });
});
