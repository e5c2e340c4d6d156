/**
 * Starts the Twitch stand-in as its own process (demo mode, the pipeline's crash test, the
 * download benchmark):
 *
 *   tsx test/fakes/twitch/cli.ts options.json
 *
 * options.json is a StandInOptions, plus `media`: VODs whose segments are generated (and cached)
 * with makeHlsVod: `{ "media": [{ "vod": {StandInVod without hls}, "hls": HlsVodParams, "cacheKey": "demo" }] }`;
 * with `"live": { "speed": 10, ... }` (LiveBroadcastOptions without media and clock) the VOD is a
 * broadcast replayed from its start (see live.ts), ended early with POST /_control/live {id, live: false}.
 * Prints one JSON line `{"endpoints":{...},"origin":"http://127.0.0.1:PORT","clientId":..,"clientSecret":..}`
 * once it listens; stats and faults are then reachable over HTTP at /_control/{stats,fault,live}.
 * Stops on SIGTERM/SIGINT; with `--stdin` also when its stdin closes (so it dies with its parent).
 */
import { readFileSync } from 'node:fs';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../hls';
import { LiveBroadcast, type LiveBroadcastOptions } from './live';
import { startTwitchStandIn, type StandInOptions, type StandInVod } from './server';

interface CliOptions extends StandInOptions {
  media?: Array<{ vod: Omit<StandInVod, 'hls' | 'broadcast'>; hls: HlsVodParams; cacheKey?: string; live?: Omit<LiveBroadcastOptions, 'media' | 'clock'> }>;
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: tsx test/fakes/twitch/cli.ts OPTIONS.json\n');
  process.exit(2);
}
let options: CliOptions;
try {
  options = JSON.parse(readFileSync(file, 'utf8')) as CliOptions;
} catch (err) {
  process.stderr.write(`twitch stand-in: cannot read options from ${file}: ${(err as Error).message}\n`);
  process.exit(2);
}
const { media = [], ...rest } = options;
const vods: StandInVod[] = [...(rest.vods ?? [])];
for (const m of media) {
  const dir = hlsCacheDir(m.cacheKey ?? `standin-${m.vod.id}`, m.hls);
  const hls = await makeHlsVod(dir, m.hls);
  vods.push({ ...m.vod, hls, ...(m.live ? { broadcast: new LiveBroadcast({ ...m.live, media: hls }) } : {}) });
}
const standIn = await startTwitchStandIn({ ...rest, vods });
process.stdout.write(
  `${JSON.stringify({ endpoints: standIn.endpoints, origin: standIn.origin, clientId: standIn.clientId, clientSecret: standIn.clientSecret, pid: process.pid })}\n`,
);
const stop = () => void standIn.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.argv.includes('--stdin')) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
