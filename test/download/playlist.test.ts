import { describe, expect, it } from 'vitest';
import { parseMasterPlaylist, parseMediaPlaylist, segmentSources } from '../../electron/engine/download/playlist';
import { pickVariant } from '../../electron/engine/download/quality';
import { parseYtDlpProgressLine, variantsFromYtDlp } from '../../electron/engine/download/ytdlp';
import { estimateVodBytes, ensureFreeSpace } from '../../electron/engine/download/disk';

const MASTER = `#EXTM3U
#EXT-X-TWITCH-INFO:ORIGIN="s3",B="false"
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="chunked",NAME="1080p60 (source)",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=6000000,CODECS="avc1.64002A,mp4a.40.2",RESOLUTION=1920x1080,VIDEO="chunked",FRAME-RATE=60.000
https://cdn.example/abc/chunked/index-dvr.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="720p60",NAME="720p60",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=3000000,CODECS="avc1.4D401F,mp4a.40.2",RESOLUTION=1280x720,VIDEO="720p60",FRAME-RATE=60.000
https://cdn.example/abc/720p60/index-dvr.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="720p30",NAME="720p",AUTOSELECT=YES,DEFAULT=YES
#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS="avc1.4D401F,mp4a.40.2",RESOLUTION=1280x720,VIDEO="720p30",FRAME-RATE=30.000
https://cdn.example/abc/720p30/index-dvr.m3u8
#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="audio_only",NAME="Audio Only",AUTOSELECT=NO,DEFAULT=NO
#EXT-X-STREAM-INF:BANDWIDTH=160000,CODECS="mp4a.40.2",VIDEO="audio_only"
https://cdn.example/abc/audio_only/index-dvr.m3u8
`;

describe('master playlist and quality', () => {
  const variants = parseMasterPlaylist(MASTER, 'https://usher.example/vod/1.m3u8');
  it('parses Twitch variants', () => {
    expect(variants.map((v) => [v.name, v.height, v.fps, v.audioOnly])).toEqual([
      ['chunked', 1080, 60, false],
      ['720p60', 720, 60, false],
      ['720p30', 720, 30, false],
      ['audio_only', undefined, undefined, true],
    ]);
    expect(variants[0].label).toBe('1080p60 (source)');
  });
  it('picks by preference list in order, best = source', () => {
    expect(pickVariant(variants, ['best']).variant.name).toBe('chunked');
    expect(pickVariant(variants, ['1080p30', '720p60', 'best']).variant.name).toBe('720p60');
    expect(pickVariant(variants, ['480p', '720p']).variant.name).toBe('720p30'); // Twitch labels 720p30 "720p"
    expect(pickVariant(variants, ['480', '720']).variant.name).toBe('720p60');
    expect(pickVariant(variants, ['720p30']).variant.name).toBe('720p30');
    expect(pickVariant(variants, ['audio_only']).variant.name).toBe('audio_only');
    expect(pickVariant(variants, ['720p60']).warning).toBeUndefined();
  });
  it('falls back to the best available with a warning', () => {
    const c = pickVariant(variants, ['1440p60', '160p']);
    expect(c.variant.name).toBe('chunked');
    expect(c.warning).toMatch(/1440p60, 160p.*1080p60 \(source\)/);
    const noSource = variants.filter((v) => v.name !== 'chunked');
    expect(pickVariant(noSource, ['best']).variant.name).toBe('720p60');
  });
  it('rejects what is not a playlist, saying so', () => {
    expect(() => parseMasterPlaylist('<html>', 'https://x/')).toThrow(/not an HLS playlist/);
    expect(() => parseMasterPlaylist('#EXTM3U\n', 'https://x/')).toThrow(/no variants/);
  });
});

describe('media playlist and muted segments', () => {
  const text = '#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.000,\n0.ts\n#EXTINF:10.000,\n1-muted.ts\n#EXTINF:4.5,\n2.ts\n#EXT-X-ENDLIST\n';
  const pl = parseMediaPlaylist(text, 'https://cdn.example/abc/chunked/index-dvr.m3u8?x=1');
  it('resolves segment URLs and marks muted ones', () => {
    expect(pl.ended).toBe(true);
    expect(pl.totalSec).toBe(24.5);
    expect(pl.segments[1]).toEqual({
      index: 1,
      url: 'https://cdn.example/abc/chunked/1-muted.ts',
      unmutedUrl: 'https://cdn.example/abc/chunked/1.ts',
      muted: true,
      durationSec: 10,
    });
  });
  it('tries unmuted first only for VODs younger than 24 h', () => {
    const now = Date.parse('2026-02-02T12:00:00Z');
    expect(segmentSources(pl.segments[1], '2026-02-02T00:00:00Z', now)).toEqual({
      url: 'https://cdn.example/abc/chunked/1.ts',
      fallbackUrl: 'https://cdn.example/abc/chunked/1-muted.ts',
    });
    expect(segmentSources(pl.segments[1], '2026-01-31T00:00:00Z', now)).toEqual({ url: 'https://cdn.example/abc/chunked/1-muted.ts' });
    expect(segmentSources(pl.segments[0], '2026-02-02T00:00:00Z', now)).toEqual({ url: 'https://cdn.example/abc/chunked/0.ts' });
  });
});

describe('yt-dlp output', () => {
  it('parses --progress-template JSON lines into DownloadProgress', () => {
    const line =
      '{"status": "downloading", "downloaded_bytes": 116184, "fragment_index": 1, "fragment_count": 3, "total_bytes_estimate": 348552.0, "eta": 2, "speed": 7910636.27, "_eta_str": "00:00"}';
    expect(parseYtDlpProgressLine(line)).toEqual({ bytes: 116184, segmentsDone: 1, segmentsTotal: 3, speedBps: 7910636.27, etaSec: 2 });
    expect(parseYtDlpProgressLine(`download:${line}`)?.bytes).toBe(116184);
    expect(parseYtDlpProgressLine('{"downloaded_bytes": 5, "total_bytes": 5, "status": "finished", "speed": null}')).toEqual({
      bytes: 5,
      segmentsDone: 0,
      segmentsTotal: 0,
      speedBps: 0,
      etaSec: 0,
    });
    expect(parseYtDlpProgressLine('[download] Destination: x')).toBeUndefined();
    expect(parseYtDlpProgressLine('{broken')).toBeUndefined();
  });
  it('maps -J formats to variants by their playlist path', () => {
    const v = variantsFromYtDlp([
      { format_id: '1080p60__source_', url: 'http://h/media/1/chunked/index-dvr.m3u8', protocol: 'm3u8_native', height: 1080, fps: 60, tbr: 448.2 },
      { format_id: 'Audio_Only', url: 'http://h/media/1/audio_only/index-dvr.m3u8', protocol: 'm3u8_native', vcodec: 'none', tbr: 160 },
    ]);
    expect(v.map((x) => [x.name, x.audioOnly, x.bandwidth])).toEqual([
      ['chunked', false, 448200],
      ['audio_only', true, 160000],
    ]);
  });
});

describe('disk check', () => {
  it('estimates from bandwidth x duration and fails clearly when space is short', async () => {
    expect(estimateVodBytes(8_000_000, 100)).toBe(105_000_000);
    await expect(ensureFreeSpace('/data/vods', 105_000_000, { reserveBytes: 0, free: async () => 50_000_000 })).rejects.toMatchObject({
      errorClass: 'disk',
      message: expect.stringMatching(/needs 105\.0 MB free on \/data\/vods, 50\.0 MB free/),
    });
    await expect(ensureFreeSpace('/data/vods', 105_000_000, { reserveBytes: 0, free: async () => 200_000_000 })).resolves.toMatchObject({ freeBytes: 200_000_000 });
  });
});
