import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { installGramjsSpeedups } from '../../electron/engine/telegram/gramjs/runtime';

const require = createRequire(import.meta.url);

interface State {
  request: { className: string; CONSTRUCTOR_ID: number; classType: string };
  data: Buffer;
  promise: Promise<void>;
  name: string;
}
type Packer = {
  append(state: State): void;
  get(): Promise<{ batch: State[]; data: Buffer } | null | undefined>;
  _queue: Array<State | undefined>;
};
const { MessagePacker } = require('telegram/extensions/MessagePacker') as { MessagePacker: new (state: unknown, log: unknown) => Packer };

function state(name: string, bytes: number, ack = false): State {
  // 1658238041 = msgs_ack (GramJS never waits for those).
  return {
    name,
    request: { className: name, CONSTRUCTOR_ID: ack ? 1658238041 : 1, classType: ack ? 'constructor' : 'request' },
    data: Buffer.alloc(bytes, 1),
    promise: new Promise(() => {}),
  };
}

/** MTProtoState's part that MessagePacker uses: numbered messages written into the writer. */
function fakeState() {
  let id = 0;
  return {
    async writeDataAsMessage(buffer: { write(b: Buffer): void }, data: Buffer) {
      await Promise.resolve();
      buffer.write(Buffer.alloc(16));
      buffer.write(data);
      return ++id;
    },
  };
}

async function drain(packer: Packer, during?: () => void): Promise<string[][]> {
  const out: string[][] = [];
  let first = true;
  while (packer._queue.length) {
    const got = packer.get();
    if (first && during) during();
    first = false;
    const r = await got;
    if (r) out.push(r.batch.map((s) => s.name));
  }
  return out;
}

describe('GramJS message packing with the speedups installed', () => {
  it('sends an upload part in a message of its own, never in a container with acks, keeping the order', async () => {
    installGramjsSpeedups();
    const packer = new MessagePacker(fakeState(), { debug() {}, warn() {} });
    packer.append(state('ack1', 40, true));
    packer.append(state('part1', 512 * 1024 + 24));
    packer.append(state('ack2', 40, true));
    packer.append(state('ping', 12));
    packer.append(state('part2', 512 * 1024 + 24));
    // Appended while the first message is being packed: goes after everything already queued.
    expect(await drain(packer, () => packer.append(state('late', 20)))).toEqual([['ack1'], ['part1'], ['ack2', 'ping'], ['part2'], ['late']]);
  });

  it('still packs small requests together in one container', async () => {
    installGramjsSpeedups();
    const packer = new MessagePacker(fakeState(), { debug() {}, warn() {} });
    for (const n of ['a', 'b', 'c']) packer.append(state(n, 100));
    expect(await drain(packer)).toEqual([['a', 'b', 'c']]);
  });
});

describe('IGE into the cipher output (no second buffer per message)', () => {
  it('equals prefix + GramJS IGE for any room and prefix size, with the room really there', async () => {
    const { randomBytes } = await import('node:crypto');
    const { GramjsIGE, igeEncryptParts } = await import('../../electron/engine/telegram/gramjs/runtime');
    for (const [before, head, after, blocks] of [
      [8, 24, 4, 32768 + 3],
      [0, 0, 0, 5],
      [4, 8, 12, 2],
      [12, 20, 17, 1],
      [0, 16, 0, 3],
    ]) {
      const key = randomBytes(32);
      const iv = randomBytes(32);
      const plain = randomBytes(blocks * 16);
      const prefix = randomBytes(head);
      const out = igeEncryptParts(key, iv, [plain.subarray(0, 16), plain.subarray(16)], [prefix], { before, after });
      expect(out.equals(Buffer.concat([prefix, new GramjsIGE(key, iv).encryptIge(plain)])), `${before}/${head}/${after}`).toBe(true);
      expect(out.byteOffset).toBeGreaterThanOrEqual(before);
      expect(out.buffer.byteLength - out.byteOffset - out.length).toBeGreaterThanOrEqual(after);
    }
  });
});
