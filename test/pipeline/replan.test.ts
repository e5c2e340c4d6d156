import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { insertPlannedPart, partsOf, replacePartWithPieces, updatePart } from '../../electron/engine/store/parts';
import { getVod, insertVod, updateVod } from '../../electron/engine/store/vods';
import { safeFileName } from '../../electron/engine/pipeline/work-folder';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-replan-'));
  db = openDatabase(join(dir, 'vods.db'));
  insertVod(db, {
    id: '1',
    channel_id: '1',
    channel_name: 'c',
    title: 't',
    created_at: '2026-01-01T00:00:00.000Z',
    duration: 60,
    duration_str: '1m',
    status: 'processing',
    url: '',
    thumbnail_url: '',
  });
  for (let i = 1; i <= 3; i++) insertPlannedPart(db, '1', { index: i, firstUnit: (i - 1) * 10, lastUnit: i * 10 - 1, bytes: 1000, startSec: (i - 1) * 20, durationSec: 20 });
  updatePart(db, '1', 3, { state: 'built', path: '/work/1/parts/segments-20-29.mp4' });
  updateVod(db, '1', { parts_total: 3 });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('re-planning a part that came out over the ceiling', () => {
  it('replaces it with its pieces and moves later parts up, keeping their state', () => {
    replacePartWithPieces(
      db,
      '1',
      2,
      [
        { index: 1, firstUnit: 10, lastUnit: 14, bytes: 500, startSec: 0, durationSec: 10 },
        { index: 2, firstUnit: 15, lastUnit: 19, bytes: 500, startSec: 10, durationSec: 10 },
      ],
      20,
    );
    const parts = partsOf(db, '1').map((p) => [p.idx, p.first_segment, p.last_segment, p.start_sec, p.state]);
    expect(parts).toEqual([
      [1, 0, 9, 0, 'planned'],
      [2, 10, 14, 20, 'planned'],
      [3, 15, 19, 30, 'planned'],
      [4, 20, 29, 40, 'built'],
    ]);
    expect(getVod(db, '1')?.parts_total).toBe(4);
  });
});

describe('file names from hostile titles', () => {
  it('never yields a path separator, a reserved name, or more than the byte budget', () => {
    expect(safeFileName('../../etc/passwd')).toBe('etc passwd');
    expect(safeFileName('a/b\\c:d*e?f"g<h>i|j')).toBe('a b c d e f g h i j');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('   ...   ')).toBe('untitled');
    const long = safeFileName('🎮'.repeat(2000), 150);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(150);
    expect(long).toBe('🎮'.repeat(37));
    expect(safeFileName('trailing dots...')).toBe('trailing dots');
  });
});
