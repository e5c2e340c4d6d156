import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyPartToFolder, vodArchiveDir } from '../../electron/engine/destinations/folder-copy';
import { tempPathFor } from '../../electron/engine/util/temp-files';
import type { VodRecord } from '../../electron/engine/store/vods';

const vod = { id: '77', title: 'Links', created_at: '2026-01-02T03:04:05Z', channel_name: 'chan', channel_id: '9' } as VodRecord;
const made: string[] = [];
const scratch = (root: string) => {
  const dir = mkdtempSync(join(root, 'tvb-folder-link-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A second file system for the cross-device case: /dev/shm is tmpfs on Linux. */
const otherFs = (() => {
  try {
    return statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
})();

describe('folder destination: link on the same file system, atomic copy across devices', () => {
  it('hard-links a part and its thumbnail when work folder and destination share a file system (no data written)', async () => {
    const root = scratch(tmpdir());
    const part = join(root, 'work', 'part-1.mp4');
    const thumb = join(root, 'work', 'part-1.jpg');
    const bytes = randomBytes(300_000);
    mkdirSync(join(root, 'work'));
    writeFileSync(part, bytes);
    writeFileSync(thumb, 'jpeg');
    const dest = { kind: 'folder' as const, name: 'NAS', path: join(root, 'archive') };
    const target = await copyPartToFolder(dest, vod, 1, part, thumb);
    expect(statSync(target).ino).toBe(statSync(part).ino);
    expect(statSync(part).nlink).toBe(2);
    expect(statSync(join(vodArchiveDir(dest, vod), 'part-01.jpg')).ino).toBe(statSync(thumb).ino);
    // Delivered again (a retry): same name, still one file, still linked.
    writeFileSync(tempPathFor(target), 'left by a crash');
    await copyPartToFolder(dest, vod, 1, part, null);
    expect(readdirSync(vodArchiveDir(dest, vod)).sort()).toEqual(['part-01.jpg', 'part-01.mp4']);
    // The work folder goes away; the archived part keeps every byte.
    rmSync(join(root, 'work'), { recursive: true });
    expect(readFileSync(target).equals(bytes)).toBe(true);
    expect(statSync(target).nlink).toBe(1);
  });

  it.runIf(otherFs)('copies (to a temp name, then renamed) when the destination is on another device (EXDEV)', async () => {
    const work = scratch(otherFs!);
    const part = join(work, 'part-2.mp4');
    const bytes = randomBytes(200_000);
    writeFileSync(part, bytes);
    const dest = { kind: 'folder' as const, name: 'Disk', path: join(scratch(tmpdir()), 'archive') };
    const target = await copyPartToFolder(dest, vod, 2, part, null);
    expect(statSync(target).ino).not.toBe(statSync(part).ino);
    expect(statSync(part).nlink).toBe(1);
    expect(readFileSync(target).equals(bytes)).toBe(true);
    expect(readdirSync(vodArchiveDir(dest, vod))).toEqual(['part-02.mp4']);
  });

  it('reports a missing part clearly and leaves no temp file', async () => {
    const root = scratch(tmpdir());
    const dest = { kind: 'folder' as const, name: 'NAS', path: join(root, 'archive') };
    await expect(copyPartToFolder(dest, vod, 3, join(root, 'nope.mp4'), null)).rejects.toThrow(/ENOENT/);
    expect(readdirSync(vodArchiveDir(dest, vod))).toEqual([]);
  });
});
