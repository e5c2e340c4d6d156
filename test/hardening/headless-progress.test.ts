import { describe, expect, it } from 'vitest';
import type { PartRow, VodRow } from '../../electron/contract/domain';
import { createProgressPrinter, fitColumns } from '../../electron/engine/host/headless-progress';
import { vodRowFixture } from '../fakes/vod-row';

/**
 * The headless progress block rendered into a small terminal emulator (a screen of lines and a
 * cursor, interpreting exactly the control sequences the printer may use: CPL `ESC[nF`, EL `ESC[2K`,
 * ED `ESC[J`, DECAWM `ESC[?7l`/`ESC[?7h`; ECMA-48 §8.3.12, §8.3.41, §8.3.39). An unknown sequence
 * fails the test, and so does a line longer than the screen while autowrap is on.
 */
class FakeTerminal {
  lines: string[] = [''];
  row = 0;
  col = 0;
  wrap = true;
  readonly isTTY = true;
  constructor(readonly columns = 80) {}
  write(chunk: string): boolean {
    // eslint-disable-next-line no-control-regex -- ESC is what this parser reads
    const re = /\x1b\[(\??)(\d*)([A-Za-z])|\n|\r|[^\x1b\n\r]+/gy;
    let m: RegExpExecArray | null;
    let at = 0;
    while ((m = re.exec(chunk))) {
      at = re.lastIndex;
      const [token, priv, num, cmd] = m;
      if (token === '\n') {
        this.row++;
        this.col = 0;
        if (this.lines.length <= this.row) this.lines.push('');
      } else if (token === '\r') this.col = 0;
      else if (cmd === 'F' && !priv) {
        this.row = Math.max(0, this.row - Number(num || 1));
        this.col = 0;
      } else if (cmd === 'K' && num === '2') this.lines[this.row] = '';
      else if (cmd === 'J' && !num) {
        this.lines[this.row] = [...this.lines[this.row]!].slice(0, this.col).join('');
        this.lines.length = this.row + 1;
      } else if (priv === '?' && num === '7' && (cmd === 'l' || cmd === 'h')) this.wrap = cmd === 'h';
      else if (cmd) throw new Error(`unexpected control sequence ${JSON.stringify(token)}`);
      else {
        const line = [...this.lines[this.row]!];
        const chars = [...token];
        if (this.wrap && this.col + chars.length > this.columns) throw new Error(`a line wrapped: ${token}`);
        line.splice(this.col, chars.length, ...chars);
        this.lines[this.row] = line.join('').slice(0, this.wrap ? undefined : this.columns * 2);
        this.col += chars.length;
      }
    }
    if (at !== chunk.length) throw new Error(`unparsed output at ${at}: ${JSON.stringify(chunk.slice(at, at + 20))}`);
    return true;
  }
  /** The visible screen: rows above the cursor's line (the block always ends with a newline). */
  screen(): string[] {
    return this.lines.slice(0, this.row);
  }
}

const LONG = `A very long stream title ${'that goes on and on '.repeat(55)}`; // ~1,100 characters

function vod(id: string, patch: Partial<VodRow> = {}): VodRow {
  return vodRowFixture({
    id,
    channelName: 'someone',
    title: id === '1' ? LONG : 'Short one',
    durationSec: 100,
    status: 'processing',
    stage: 'downloading',
    partsTotal: 2,
    ...patch,
  });
}
const part = (index: number, patch: Partial<PartRow> = {}): PartRow => ({
  index,
  bytes: 1,
  durationSec: 1,
  build: 'done',
  upload: 'active',
  uploadProgress: 0.5,
  posts: [],
  ...patch,
});
const posts = (done: number, total: number) =>
  Array.from({ length: total }, (_, i) => ({ destinationId: `d${i}`, destinationName: `D${i}`, state: i < done ? ('done' as const) : ('pending' as const) }));

describe('headless terminal block', () => {
  it('redraws in place, clears the lines it no longer uses, names the VOD on part lines, counts posts', () => {
    const term = new FakeTerminal(80);
    const p = createProgressPrinter(term as unknown as NodeJS.WriteStream);
    p.status({ state: 'working', message: null, nextCheckAt: null, diskFreeBytes: null }, 'Working on 2 VODs');
    p.event('vod', vod('1'));
    p.event('vod', vod('2'));
    p.event('download.progress', { vodId: '1', progress: { bytes: 5e6, segmentsDone: 5, segmentsTotal: 10, speedBps: 1e6, etaSec: 5 } });
    p.event('part.progress', { vodId: '1', part: part(1) });
    p.event('part.progress', { vodId: '1', part: part(2, { build: 'active', upload: 'pending', uploadProgress: 0 }) });
    p.event('part.progress', { vodId: '2', part: part(1) });
    expect(term.screen()).toHaveLength(5);
    expect(term.screen().every((l) => [...l].length <= 79)).toBe(true);
    expect(term.screen()[2]).toMatch(/^ {2}VOD 1 A very long stream titl… part 1\/2 build done upload \[#####-----\] {2}50%$/);
    expect(term.screen()[4]).toMatch(/^ {2}VOD 2 Short one part 1\/2 build done/);
    expect(term.screen().join('\n')).not.toContain('posted 0/0');

    // Posting progress arrives with the VOD row: real counts.
    p.event('vod', vod('1', { stage: 'posting', parts: [part(1, { upload: 'done', uploadProgress: 1, posts: posts(1, 2) })] }));
    expect(term.screen().join('\n')).toMatch(/VOD 1 .* part 1\/2 .*posted 1\/2/);

    // VOD 1 finishes: its three lines go, and nothing of them is left below the shorter block.
    p.event('vod', vod('1', { status: 'completed', stage: 'done' }));
    expect(term.screen()).toEqual([expect.stringMatching(/^engine: Working on 2 VODs/), expect.stringMatching(/^ {2}VOD 2 Short one part 1\/2/)]);
    expect(term.lines.slice(term.row).every((l) => l === '')).toBe(true);
    p.event('vod', vod('2', { status: 'completed', stage: 'done' }));
    expect(term.screen()).toEqual([expect.stringMatching(/^engine:/)]);
  });

  it('never lets a wide title wrap (emoji and CJK count two columns)', () => {
    expect(fitColumns('😀😀😀😀😀', 6)).toBe('😀😀…');
    expect(fitColumns('字字字', 6)).toBe('字字字');
    expect(fitColumns('e\u0301e\u0301', 2)).toBe('e\u0301e\u0301');
    const term = new FakeTerminal(40);
    const p = createProgressPrinter(term as unknown as NodeJS.WriteStream);
    p.event('vod', vod('3', { title: '🎮'.repeat(60) }));
    p.event('part.progress', { vodId: '3', part: part(1) });
    expect(term.screen()).toHaveLength(1);
  });
});

describe('plain-line mode (not a terminal)', () => {
  it('prints each change once, short, with the title only in the first line about a VOD', () => {
    let text = '';
    const out = { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    const p = createProgressPrinter(out);
    p.event('vod', vod('1'));
    p.event('vod', vod('1'));
    for (let i = 0; i <= 200; i++) p.event('download.progress', { vodId: '1', progress: { bytes: i, segmentsDone: i, segmentsTotal: 200, speedBps: 1, etaSec: 1 } });
    p.event('vod', vod('1', { stage: 'building' }));
    p.event('part.progress', { vodId: '1', part: part(1, { uploadProgress: 0.1 }) });
    p.event('part.progress', { vodId: '1', part: part(1, { uploadProgress: 0.2 }) });
    p.event('vod', vod('1', { status: 'completed', stage: 'done' }));
    const lines = text.trimEnd().split('\n');
    expect(new Set(lines.map((l) => l.slice(25))).size).toBe(lines.length); // nothing twice
    expect(lines.every((l) => l.length < 140)).toBe(true);
    expect(lines.filter((l) => l.includes('"A very long stream titl…"'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('downloading:'))).toHaveLength(11); // 0%, 10%, … 100%
    expect(lines.at(-1)).toMatch(/VOD 1 completed\/done$/);
    expect(text).not.toContain('\x1b');
  });
});
