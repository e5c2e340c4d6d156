import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { candidatePaths, findTool } from '../../electron/engine/util/binaries';
import { describeTools, updateBundledYtDlp } from '../../electron/main/tools';

const tmp = mkdtempSync(join(tmpdir(), 'tvb-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const platformDir = `${process.platform}-${process.arch}`;

/** A stand-in tool: prints which copy it is, and records its arguments. */
function fakeTool(path: string, label: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho "$0 $*" >> "${path}.calls"\necho "${label} version 1.0"\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('binary resolution order', () => {
  const overrideDir = join(tmp, 'override');
  const resourcesDir = join(tmp, 'resources');
  const pathDir = join(tmp, 'pathbin');
  for (const name of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
    fakeTool(join(overrideDir, name), `override-${name}`);
    fakeTool(join(resourcesDir, 'bin', platformDir, name), `bundled-${name}`);
    fakeTool(join(pathDir, name), `path-${name}`);
  }
  const search = { overrides: { ffmpeg: join(overrideDir, 'ffmpeg') }, resourcesDir, envPath: pathDir };

  it('lists candidates as override, bundled resources/bin/<platform>-<arch>, (ffmpeg-static), PATH', () => {
    const sources = candidatePaths('ffmpeg', search).map((c) => c.source);
    expect(sources[0]).toBe('override');
    expect(sources[1]).toBe('bundled');
    expect(sources.at(-1)).toBe('path');
    expect(sources.filter((s) => s === 'ffmpeg-static').length).toBeLessThanOrEqual(1);
    expect(candidatePaths('ffmpeg', search)[1]!.path).toBe(join(resourcesDir, 'bin', platformDir, 'ffmpeg'));
    // yt-dlp never comes from ffmpeg-static.
    expect(candidatePaths('yt-dlp', search).map((c) => c.source)).not.toContain('ffmpeg-static');
  });

  it('takes the first one that exists and is executable', () => {
    expect(findTool('ffmpeg', search)).toMatchObject({ source: 'override' });
    expect(findTool('ffprobe', search)).toMatchObject({ source: 'bundled', path: join(resourcesDir, 'bin', platformDir, 'ffprobe') });
    expect(findTool('yt-dlp', { envPath: pathDir })).toMatchObject({ source: 'path' });
    // A non-executable override is skipped, not used.
    const notExec = join(tmp, 'notexec-ffmpeg');
    writeFileSync(notExec, 'x');
    chmodSync(notExec, 0o644);
    expect(findTool('ffmpeg', { ...search, overrides: { ffmpeg: notExec } })).toMatchObject({ source: 'bundled' });
  });

  it('reports source and version per tool, and a missing tool with a fix', async () => {
    const report = await describeTools(search);
    expect(report.map((r) => [r.name, r.source, r.version])).toEqual([
      ['ffmpeg', 'override', 'override-ffmpeg version 1.0'],
      ['ffprobe', 'bundled', 'bundled-ffprobe version 1.0'],
      ['yt-dlp', 'bundled', 'bundled-yt-dlp version 1.0'],
    ]);
    const missing = await describeTools({ envPath: join(tmp, 'empty') });
    const ytdlp = missing.find((r) => r.name === 'yt-dlp')!;
    expect(ytdlp).toMatchObject({ path: null, source: null, version: null });
    expect(ytdlp.error).toMatch(/yt-dlp was not found.*Settings > Advanced > Tools/);
  });
});

describe('Update yt-dlp', () => {
  it('runs -U on the bundled copy', async () => {
    const resourcesDir = join(tmp, 'res-update');
    const bundled = fakeTool(join(resourcesDir, 'bin', platformDir, 'yt-dlp'), 'bundled');
    const result = await updateBundledYtDlp({ resourcesDir, envPath: '' });
    expect(result.updated).toBe(true);
    expect(result.version).toBe('bundled version 1.0');
    expect(readFileSync(`${bundled}.calls`, 'utf8')).toContain(' -U');
  });

  it('never touches a PATH or override copy', async () => {
    const pathDir = join(tmp, 'path-only');
    const onPath = fakeTool(join(pathDir, 'yt-dlp'), 'system');
    const override = fakeTool(join(tmp, 'mine', 'yt-dlp'), 'mine');
    const result = await updateBundledYtDlp({ envPath: pathDir, overrides: { 'yt-dlp': override }, resourcesDir: join(tmp, 'nothing') });
    expect(result.updated).toBe(false);
    expect(result.message).toMatch(/no bundled yt-dlp/);
    expect(() => readFileSync(`${onPath}.calls`)).toThrow();
    expect(() => readFileSync(`${override}.calls`)).toThrow();
  });

  it('reports a failing self-update', async () => {
    const resourcesDir = join(tmp, 'res-fail');
    const bin = join(resourcesDir, 'bin', platformDir, 'yt-dlp');
    mkdirSync(join(bin, '..'), { recursive: true });
    writeFileSync(bin, '#!/bin/sh\nif [ "$1" = "-U" ]; then echo "ERROR: Unable to write" >&2; exit 1; fi\necho 2023.03.04\n');
    chmodSync(bin, 0o755);
    const result = await updateBundledYtDlp({ resourcesDir, envPath: '' });
    expect(result).toEqual({ updated: false, message: 'ERROR: Unable to write', version: '2023.03.04' });
  });
});
