import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AppInfo } from '../../electron/contract/app';
import { createAppHandlers, workDirFor, type AppActionDeps } from '../../electron/main/app-actions';
import { dispatchAppCall } from '../../electron/main/ipc';

const tmp = mkdtempSync(join(tmpdir(), 'tvb-actions-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const idleUpdate = { state: 'idle', version: null, percent: null, bytesPerSecond: null, message: null, lastCheckAt: null } as const;

function deps(over: Partial<AppActionDeps> = {}): AppActionDeps {
  return {
    version: '0.1.0',
    platform: 'linux',
    arch: 'x64',
    packaged: true,
    dataDir: tmp,
    logFile: join(tmp, 'app.log'),
    workDir: () => join(tmp, 'work'),
    toolSearch: () => ({ envPath: '' }),
    storageInfo: () => ({ backend: 'basic_text', encrypted: false, warning: 'only obfuscated' }),
    openPath: vi.fn(async () => ''),
    openExternal: vi.fn(() => true),
    showItemInFolder: vi.fn(),
    folderDestinations: () => [join(tmp, 'nas')],
    getStartAtLogin: () => ({ enabled: false, startHidden: true, supported: true }),
    setStartAtLogin: (enabled, startHidden) => ({ enabled, startHidden, supported: true }),
    describeTools: async () => [{ name: 'ffmpeg', path: null, source: null, version: null, error: 'ffmpeg was not found' }],
    updateYtDlp: async () => ({ updated: false, message: 'no bundled copy', version: null }),
    updateStatus: () => idleUpdate,
    checkForUpdates: async () => ({ ...idleUpdate, state: 'upToDate' }),
    quit: vi.fn(),
    ...over,
  };
}

describe('app actions', () => {
  it('app info validates against the contract and carries the secret-storage warning', async () => {
    const reply = await dispatchAppCall({ method: 'getAppInfo', params: {} }, createAppHandlers(deps()));
    expect(reply.ok).toBe(true);
    const info = AppInfo.parse(reply.ok ? reply.result : null);
    expect(info.secretStorage.warning).toBe('only obfuscated');
    expect(info.tools[0]!.error).toMatch(/not found/);
  });

  it('open work folder creates it first and reports the OS error', async () => {
    const d = deps({ openPath: vi.fn(async () => 'No application is registered') });
    const reply = await dispatchAppCall({ method: 'openWorkFolder', params: {} }, createAppHandlers(d));
    expect(existsSync(join(tmp, 'work'))).toBe(true);
    expect(d.openPath).toHaveBeenCalledWith(join(tmp, 'work'));
    expect(reply).toEqual({ ok: true, result: { ok: false, error: 'No application is registered' } });
  });

  it('shows a posted file only inside a configured folder destination', async () => {
    const d = deps();
    const file = join(tmp, 'nas', 'alice', 'part1.mp4');
    mkdirSync(join(tmp, 'nas', 'alice'), { recursive: true });
    writeFileSync(file, 'x');
    expect(await dispatchAppCall({ method: 'showPostedFile', params: { path: file } }, createAppHandlers(d))).toEqual({ ok: true, result: { ok: true } });
    expect(d.showItemInFolder).toHaveBeenCalledWith(file);
    for (const path of [join(tmp, 'nas', '..', 'secrets.json'), join(tmp, 'nasty', 'x.mp4'), '/etc/passwd', join(tmp, 'nas')]) {
      const reply = await dispatchAppCall({ method: 'showPostedFile', params: { path } }, createAppHandlers(d));
      expect(reply, path).toMatchObject({ ok: true, result: { ok: false, error: expect.stringContaining('not inside a folder destination') } });
    }
    const gone = await dispatchAppCall({ method: 'showPostedFile', params: { path: join(tmp, 'nas', 'gone.mp4') } }, createAppHandlers(d));
    expect(gone).toMatchObject({ result: { ok: false, error: expect.stringContaining('no longer exists') } });
    expect(d.showItemInFolder).toHaveBeenCalledTimes(1);
  });

  it('quit happens after the reply', async () => {
    const d = deps();
    const reply = await dispatchAppCall({ method: 'quit', params: {} }, createAppHandlers(d));
    expect(reply.ok).toBe(true);
    await vi.waitFor(() => expect(d.quit).toHaveBeenCalledTimes(1));
  });

  it('the default work folder is <data>/work', () => {
    expect(workDirFor('', '/data')).toBe(join('/data', 'work'));
    expect(workDirFor('  /mnt/nas  ', '/data')).toBe('/mnt/nas');
  });
});
