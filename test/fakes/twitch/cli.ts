/**
 * Starts the Twitch stand-in as its own process (demo mode, the pipeline's crash test, the
 * download benchmark):
 *
 *   tsx test/fakes/twitch/cli.ts options.json
 *
 * options.json is a StandInOptions, plus `media`: VODs whose segments are generated (and cached)
 * with makeHlsVod: `{ "media": [{ "vod": {StandInVod without hls}, "hls": HlsVodParams, "cacheKey": "demo" }] }`.
 * Prints one JSON line `{"endpoints":{...},"origin":"http://127.0.0.1:PORT","clientId":..,"clientSecret":..}`
 * once it listens; stats and faults are then reachable over HTTP at /_control/{stats,fault,live}.
 * Stops on SIGTERM/SIGINT; with `--stdin` also when its stdin closes (so it dies with its parent).
 */
import { readFileSync } from 'node:fs';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../hls';
import { startTwitchStandIn, type StandInOptions, type StandInVod } from './server';

interface CliOptions extends StandInOptions {
  media?: Array<{ vod: Omit<StandInVod, 'hls'>; hls: HlsVodParams; cacheKey?: string }>;
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
  vods.push({ ...m.vod, hls: await makeHlsVod(dir, m.hls) });
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
