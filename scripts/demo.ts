/**
 * `npm run demo`: the whole product with no account anywhere. Starts the Twitch stand-in (with a
 * few generated broadcasts) and the Telegram MTProto stand-in on 127.0.0.1, an engine pointed at
 * them (temp data folder), builds and serves the UI, and prints the URL. Open it: the first check
 * starts when the page connects, and the VODs are downloaded, cut and posted with live progress.
 *
 *   npm run demo                 ready to go (logged in to the stand-in as "Alice")
 *   npm run demo -- --wizard     start empty and walk the first-run wizard by hand
 *   npm run demo -- --port 8080  fixed port (default: random)
 *   npm run demo -- --keep       keep the temp data folder on exit
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSettings, type Secrets } from '../electron/contract/settings';
import { startEngine } from '../electron/engine/core/start-engine';
import { startUiServer } from '../electron/engine/host/ws-server';
import { configureConsole } from '../electron/engine/util/log';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../test/fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn } from '../test/fakes/telegram';
import { LiveBroadcast } from '../test/fakes/twitch/live';
import { startTwitchStandIn } from '../test/fakes/twitch/server';

const ROOT = resolve(import.meta.dirname, '..');
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      wizard: { type: 'boolean', default: false },
      port: { type: 'string' },
      keep: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a TCP port number, got "${args.port}"`);
  configureConsole(args.verbose ? 'info' : 'warn');

  const dir = mkdtempSync(join(tmpdir(), 'tvb-demo-'));
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => {});
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(0)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(0)));

  try {
    say('Generating demo broadcasts (cached after the first run)…');
    const media = async (key: string, p: HlsVodParams) => makeHlsVod(hlsCacheDir(`demo-${key}`, p), p);
    const [a, b] = await Promise.all([
      media('a', { durationSec: 60, segmentSec: 2, width: 320, height: 180, videoKbps: 1200 }),
      media('b', { durationSec: 36, segmentSec: 2, width: 320, height: 180, videoKbps: 1200 }),
    ]);

    // Slow links on purpose, so the progress is there to be seen.
    const twitch = await startTwitchStandIn({
      latencyMs: 40,
      connectionBytesPerSec: 600_000,
      users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
      vods: [
        { id: '5001', userId: '1001', title: 'Speedrun night: any% attempts', createdAt: new Date(Date.now() - 26 * 3600_000).toISOString(), hls: a },
        { id: '5002', userId: '1001', title: 'Chill chat & reading', createdAt: new Date(Date.now() - 5 * 3600_000).toISOString(), hls: b },
        // A broadcast replayed from its start (the stand-in's live mode): backed up while it runs.
        {
          id: '5003',
          userId: '1001',
          title: 'Live right now',
          createdAt: new Date().toISOString(),
          hls: b,
          broadcast: new LiveBroadcast({
            media: b,
            speed: 1,
            chapters: [
              { startSec: 0, game: 'Just Chatting' },
              { startSec: 30, game: 'Elden Ring' },
            ],
          }),
        },
      ],
    });
    cleanups.push(() => twitch.close());
    const telegram = await startTelegramStandIn({ partDelayMs: 25 });
    cleanups.push(() => telegram.close());
    const archive = telegram.state().chats.find((c) => c.title === 'VOD Archive');
    if (!archive) throw new Error('The Telegram stand-in has no "VOD Archive" chat in its default seed.');
    const folder = join(dir, 'nas');
    mkdirSync(folder, { recursive: true });

    const parsed = parseSettings({
      advanced: {
        twitch: twitch.endpoints,
        lowDiskGuardMB: 0,
        telegramServer: serverSetting(telegram),
      },
      vod: { minRetryDelaySec: 5, maxRetryDelaySec: 60, downloadConcurrency: 4, checkIntervalSec: 120 },
      split: { maxFileSizeMB: 3, minFileSizeMB: 0, mergeThresholdMB: 0 },
      ...(args.wizard
        ? {}
        : {
            twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
            telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4, postDelaySec: 0 },
            destinations: [
              { kind: 'telegram', name: 'VOD Archive', chatId: `-100${archive.id}` },
              { kind: 'folder', name: 'NAS folder', path: folder },
            ],
          }),
    });
    if (!parsed.ok) throw new Error(`demo settings: ${JSON.stringify(parsed.problems)}`);
    const secrets: Secrets = args.wizard ? {} : { twitchClientSecret: twitch.clientSecret };

    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const running = await startEngine({
      paths: { dataDir, logFile: '', resourcesDir: '' },
      settings: parsed.settings,
      secrets,
      host: { persistSecrets: () => {}, persistSettings: () => {}, notice: () => {}, status: () => {} },
    });
    cleanups.push(() => running.stop());

    const request = async (method: string, params: unknown = {}) => {
      const r = await running.dispatch({ kind: 'request', id: 0, method, params });
      if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
      return r.result;
    };
    if (!args.wizard) {
      // Hold the queue until someone is watching; log in to the stand-in as Alice (no 2FA).
      await request('queue.pause');
      await request('telegram.login.start', { method: 'phone', phone: '+15550000001' });
      await request('telegram.login.code', { code: '12345' });
    }

    say('Building the UI…');
    const staticDir = join(dir, 'renderer');
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } });

    let started = args.wizard;
    const dispatch: typeof running.dispatch = async (raw) => {
      const response = await running.dispatch(raw);
      if (!started && (raw as { method?: string })?.method === 'snapshot.get') {
        started = true;
        setTimeout(
          () =>
            void request('queue.resume')
              .then(() => request('queue.checkNow'))
              .catch((e) => say(`demo: ${(e as Error).message}`)),
          1500,
        );
      }
      return response;
    };
    const server = await startUiServer({ bus: running.engine.bus, dispatch, staticDir, port });
    cleanups.push(() => server.close());

    say('');
    say(`  Open ${server.url}`);
    say('');
    if (args.wizard) {
      say('  The wizard asks for what you would get from Twitch and Telegram; the stand-ins accept:');
      say(`    Twitch Client ID      ${twitch.clientId}`);
      say(`    Twitch Client Secret  ${twitch.clientSecret}`);
      say('    Twitch channel        streamer');
      say(`    Telegram api_id       ${STANDIN_API_ID}`);
      say(`    Telegram api_hash     ${STANDIN_API_HASH}`);
      say('    Phone +15550000001 code 12345 (no 2FA) | +15550000002 code 22222, 2FA password hunter2 | +15550000003 code 33333 (Premium)');
    } else {
      say('  The first check starts when the page connects: two VODs are downloaded, cut into ~3 MB parts');
      say(`  and posted to the stand-in channel "VOD Archive" and to ${folder}; a third is backed up while it is live.`);
    }
    say('  Ctrl-C stops everything.');
  } catch (error) {
    await cleanup();
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message}\n`);
  process.exit(1);
});
