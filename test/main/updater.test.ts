/**
 * The self-update flow with electron-updater's own logic, offline: a local HTTP server plays the
 * release host as electron-updater's generic provider (latest-linux.yml + a .deb, the files
 * electron-builder publishes), electron-updater's DebUpdater checks, downloads and verifies the
 * sha512 itself, and our controller decides when to install. Electron is not loaded: the updater
 * gets an AppAdapter (electron-updater/out/AppAdapter.d.ts) and Node's HTTP executor, as
 * electron-builder's own updater tests do; quitAndInstall (which would run dpkg and quit) is
 * observed, not run.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UpdateStatus } from '../../electron/contract/app';
import { createLogger } from '../../electron/engine/util/log';
import { CHECK_EVERY_MS, FIRST_CHECK_DELAY_MS, createUpdateController, type UpdaterLike } from '../../electron/main/updater';

vi.mock('electron', () => import('./electron-mock'));
const require = createRequire(import.meta.url);
const { DebUpdater } = require('electron-updater') as { DebUpdater: new (options: unknown, app: unknown) => UpdaterLike & { httpExecutor: unknown; installerPath: string | null } };
const { NodeHttpExecutor } = require('builder-util/out/nodeHttpExecutor') as { NodeHttpExecutor: new () => Record<string, unknown> };
const runtime = require('builder-util-runtime') as { configureRequestUrl(url: URL, o: object): void; configureRequestOptions(o: object): void };

/**
 * Node's http transport in place of Electron's net: `download` is ElectronHttpExecutor.download
 * (electron-updater/out/electronHttpExecutor.js) line for line; the request, redirect and sha512
 * checks are builder-util-runtime's HttpExecutor.doDownload, the same code the app runs.
 */
class NodeDownloadExecutor extends NodeHttpExecutor {
  download(
    url: URL,
    destination: string,
    options: { headers?: object; cancellationToken: { createPromise<T>(fn: (resolve: (v: T) => void, reject: (e: Error) => void, onCancel: unknown) => void): Promise<T> } },
  ) {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers || undefined, redirect: 'manual' };
      runtime.configureRequestUrl(url, requestOptions);
      runtime.configureRequestOptions(requestOptions);
      (this.doDownload as (o: object, d: object, n: number) => void)(
        requestOptions,
        { destination, options, onCancel, callback: (error: Error | null) => (error == null ? resolve(destination) : reject(error)), responseHandler: null },
        0,
      );
    });
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'tvb-updater-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const artefact = Buffer.from('a stand-in .deb for version 0.2.0\n'.repeat(2000));
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');
let served = { version: '0.2.0', sha512: sha512(artefact) };
const requests: string[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    // electron-updater adds ?noCache=… to the metadata request (providers/Provider.js).
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(path);
    if (path === '/latest-linux.yml') {
      // The shape electron-builder writes (PublishManager -> updateInfoBuilder): files[] with url, sha512, size.
      res.end(
        `version: ${served.version}\nfiles:\n  - url: twitch-vod-backup-${served.version}-linux-amd64.deb\n    sha512: ${served.sha512}\n    size: ${artefact.length}\npath: twitch-vod-backup-${served.version}-linux-amd64.deb\nsha512: ${served.sha512}\nreleaseDate: '2026-12-01T00:00:00.000Z'\n`,
      );
    } else if (path === `/twitch-vod-backup-${served.version}-linux-amd64.deb`) {
      res.writeHead(200, { 'content-length': artefact.length, 'content-type': 'application/octet-stream' }).end(artefact);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let n = 0;
function world(opts: { enabled?: boolean } = {}) {
  const dir = mkdtempSync(join(tmp, `case-${++n}-`));
  // What electron-builder writes into resources/app-update.yml (here pointing at the local server).
  const config = join(dir, 'app-update.yml');
  writeFileSync(config, `provider: generic\nurl: ${base}\nupdaterCacheDirName: tvb-updater-test\n`);
  const adapter = {
    version: '0.1.0',
    name: 'twitch-vod-backup',
    isPackaged: true,
    appUpdateConfigPath: config,
    userDataPath: dir,
    baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: vi.fn(),
    quit: vi.fn(),
    onQuit: vi.fn(),
  };
  const updater = new DebUpdater(null, adapter);
  updater.httpExecutor = new NodeDownloadExecutor();
  const install = vi.spyOn(updater, 'quitAndInstall').mockImplementation(() => undefined);
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const statuses: UpdateStatus[] = [];
  let safe = false;
  const asked = vi.fn(async () => safe);
  let enabled = opts.enabled ?? true;
  const controller = createUpdateController({
    updater,
    enabled: () => enabled,
    askSafePoint: asked,
    onStatus: (s) => statuses.push(UpdateStatus.parse(s)),
    log: createLogger('test.update'),
    schedule: (fn, ms) => {
      const t = { fn, ms };
      timers.push(t);
      return () => timers.splice(timers.indexOf(t), 1);
    },
  });
  return { updater, install, controller, statuses, asked, timers, setSafe: (v: boolean) => (safe = v), setEnabled: (v: boolean) => (enabled = v) };
}

describe('self-update (electron-updater, generic provider on a local server)', () => {
  it('checks at start and daily, downloads with progress, waits while an upload is in flight, installs at the safe point', async () => {
    const w = world();
    expect(w.timers.map((t) => t.ms)).toEqual([FIRST_CHECK_DELAY_MS]);
    w.timers[0]!.fn(); // the start-up check
    await vi.waitFor(() => expect(w.controller.status().state).toBe('waiting'), { timeout: 20_000 });
    const states = w.statuses.map((s) => s.state);
    expect(states.slice(0, 2)).toEqual(['checking', 'downloading']);
    expect(states.at(-1)).toBe('waiting');
    expect(w.controller.status()).toMatchObject({ version: '0.2.0', percent: 100 });
    // electron-updater downloaded and verified the artefact itself.
    expect(readFileSync(w.updater.installerPath!)).toEqual(artefact);
    expect(requests).toContain('/latest-linux.yml');
    // The engine says an upload is in flight: not installed.
    expect(w.asked).toHaveBeenCalledTimes(1);
    expect(w.install).not.toHaveBeenCalled();
    // The engine's next status change: asked again; now safe.
    w.setSafe(true);
    w.controller.engineStatusChanged();
    await vi.waitFor(() => expect(w.install).toHaveBeenCalledWith(true, true));
    expect(w.controller.status().state).toBe('installing');
    // And the next check is planned a day later.
    await vi.waitFor(() => expect(w.timers.map((t) => t.ms)).toEqual([CHECK_EVERY_MS]));
  });

  it('an artefact whose sha512 differs from the metadata is refused: error, nothing installed', async () => {
    served = { version: '0.3.0', sha512: sha512(Buffer.from('something else')) };
    try {
      const w = world();
      w.setSafe(true);
      await w.controller.check();
      await vi.waitFor(() => expect(w.controller.status().state).toBe('error'), { timeout: 20_000 });
      expect(w.controller.status().message).toMatch(/sha512 checksum mismatch/);
      expect(w.install).not.toHaveBeenCalled();
    } finally {
      served = { version: '0.2.0', sha512: sha512(artefact) };
    }
  });

  it('the same version is up to date', async () => {
    served = { version: '0.1.0', sha512: sha512(artefact) };
    try {
      const w = world();
      await w.controller.check();
      expect(w.controller.status().state).toBe('upToDate');
    } finally {
      served = { version: '0.2.0', sha512: sha512(artefact) };
    }
  });

  it('turned off: no timer, no background download, no install on quit; the user can still check by hand', async () => {
    const w = world({ enabled: false });
    expect(w.timers).toEqual([]);
    expect(w.controller.status().state).toBe('disabled');
    expect(w.updater.autoDownload).toBe(false);
    expect(w.updater.autoInstallOnAppQuit).toBe(false);
    w.setSafe(true);
    await w.controller.check({ manual: true });
    await vi.waitFor(() => expect(w.install).toHaveBeenCalledWith(true, true), { timeout: 20_000 });
    // Turning it on plans the checks again.
    const v = world({ enabled: false });
    v.setEnabled(true);
    v.controller.settingsChanged();
    expect(v.timers.map((t) => t.ms)).toEqual([FIRST_CHECK_DELAY_MS]);
    expect(v.controller.status().state).toBe('idle');
  });
});
