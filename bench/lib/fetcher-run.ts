/**
 * The segment fetcher alone (download/segments.ts fetchSegments, after the product's playlist
 * resolution), in its own process, for `bench -- scale`'s baseline: what fetching the segments
 * costs with nothing else around it (no store, no checks, no planning).
 *
 *   node --import tsx bench/lib/fetcher-run.ts CONFIG.json   (FetcherRunConfig)
 *
 * Prints one JSON line: { seconds, cpuSec (from resolution on: module loading left out), maxRssMB, segments, bytes }.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveVodPlaylist } from '../../electron/engine/download/resolve';
import { fetchSegments } from '../../electron/engine/download/segments';
import type { TwitchEndpoints } from '../../electron/engine/twitch/endpoints';

export interface FetcherRunConfig {
  endpoints: TwitchEndpoints;
  vodId: string;
  concurrency: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FetcherRunConfig;
const dir = mkdtempSync(join(tmpdir(), 'tvb-bench-fetcher-'));
try {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const resolved = await resolveVodPlaylist({ vodId: config.vodId, endpoints: config.endpoints, quality: ['best'] });
  const result = await fetchSegments({
    dir,
    segments: resolved.playlist.segments.map((s) => ({ index: s.index, durationSec: s.durationSec, url: s.url })),
    concurrency: config.concurrency,
    isSegmentDone: () => false,
    onSegmentDone: () => {},
  });
  const seconds = (performance.now() - t0) / 1000;
  const usage = process.resourceUsage();
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({ seconds, cpuSec: (cpu.user + cpu.system) / 1e6, maxRssMB: usage.maxRSS / 1024, segments: result.segmentsFetched, bytes: result.bytesFetched })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
