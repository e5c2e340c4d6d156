import { describe, expect, it, vi } from 'vitest';
import { APP_CHANNEL } from '../../electron/contract/app';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const { dispatchAppCall, isTrustedSender, registerAppIpc } = await import('../../electron/main/ipc');
type Handlers = Parameters<typeof dispatchAppCall>[1];

function handlers(): Handlers & Record<string, ReturnType<typeof vi.fn>> {
  return {
    openWorkFolder: vi.fn(async () => ({ ok: true })),
    openExternal: vi.fn(({ url }: { url: string }) => ({ opened: url.startsWith('https://t.me') })),
    getStartAtLogin: vi.fn(() => ({ enabled: false, startHidden: true, supported: true })),
    setStartAtLogin: vi.fn(({ enabled, startHidden }: { enabled: boolean; startHidden: boolean }) => ({ enabled, startHidden, supported: true })),
    getAppInfo: vi.fn(async () => ({ version: 'bad' }) as never),
    updateYtDlp: vi.fn(async () => ({ updated: false, message: 'none', version: null })),
    quit: vi.fn(() => ({})),
  } as never;
}

describe('app IPC validation', () => {
  it('runs a valid call and returns its result', async () => {
    const h = handlers();
    expect(await dispatchAppCall({ method: 'setStartAtLogin', params: { enabled: true, startHidden: false } }, h)).toEqual({
      ok: true,
      result: { enabled: true, startHidden: false, supported: true },
    });
    expect(h.setStartAtLogin).toHaveBeenCalledWith({ enabled: true, startHidden: false });
    expect(await dispatchAppCall({ method: 'openWorkFolder' }, h)).toEqual({ ok: true, result: { ok: true } });
  });

  it('rejects bad payloads with a message naming the problem, without calling any handler', async () => {
    const h = handlers();
    const bad: Array<[unknown, RegExp]> = [
      ['openWorkFolder', /Invalid app call/],
      [null, /Invalid app call/],
      [{ method: 'openWorkFolder', params: {}, extra: 1 }, /Invalid app call/],
      [{ method: 'deleteEverything', params: {} }, /Unknown app method "deleteEverything"/],
      [{ method: '__proto__', params: {} }, /Unknown app method/],
      [{ method: 'toString', params: {} }, /Unknown app method/],
      [{ method: 'setStartAtLogin', params: { enabled: 'yes', startHidden: false } }, /app\.setStartAtLogin: enabled:/],
      [{ method: 'setStartAtLogin', params: { enabled: true } }, /startHidden/],
      [{ method: 'openWorkFolder', params: { path: '/etc' } }, /Invalid parameters for app\.openWorkFolder/],
      [{ method: 'openExternal', params: { url: 'x'.repeat(5000) } }, /url:/],
    ];
    for (const [payload, message] of bad) {
      const reply = await dispatchAppCall(payload, h);
      expect(reply.ok, JSON.stringify(payload)).toBe(false);
      expect(reply.ok ? '' : reply.error).toMatch(message);
    }
    for (const fn of Object.values(h)) expect(fn).not.toHaveBeenCalled();
  });

  it('checks results too: a handler returning the wrong shape is an error, not garbage for the UI', async () => {
    const reply = await dispatchAppCall({ method: 'getAppInfo', params: {} }, handlers());
    expect(reply.ok).toBe(false);
  });

  it('drops calls from foreign senders: other windows, subframes, other origins', async () => {
    const h = handlers();
    const ours = { url: 'app://renderer/index.html', parent: null };
    const trusted = () => [ours];
    registerAppIpc(electron.ipcMain as never, h, (event) => isTrustedSender(event.senderFrame as never, trusted));
    const handle = electron.ipcMain.handlers.get(APP_CHANNEL)!;
    const call = (senderFrame: unknown) => handle({ senderFrame }, { method: 'quit', params: {} }) as Promise<{ ok: boolean }>;

    expect((await call({ url: 'app://renderer/index.html', parent: null })).ok).toBe(false); // same URL, other frame object
    expect((await call({ url: 'https://evil.example/', parent: null })).ok).toBe(false);
    expect((await call({ url: 'app://renderer/index.html', parent: ours })).ok).toBe(false); // an iframe
    expect((await call(null)).ok).toBe(false);
    expect(h.quit).not.toHaveBeenCalled();

    // Our own window's top frame at our origin is accepted.
    expect((await call(ours)).ok).toBe(true);
    expect(h.quit).toHaveBeenCalledTimes(1);
    // ... but not once it has been navigated elsewhere.
    ours.url = 'https://evil.example/';
    expect((await call(ours)).ok).toBe(false);
    expect(h.quit).toHaveBeenCalledTimes(1);
  });

  it('accepts the dev server origin only when running with it', () => {
    const frame = { url: 'http://localhost:5173/', parent: null };
    expect(isTrustedSender(frame, () => [frame])).toBe(false);
    expect(isTrustedSender(frame, () => [frame], 'http://localhost:5173')).toBe(true);
  });
});
