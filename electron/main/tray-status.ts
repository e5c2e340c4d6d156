import type { EngineApi } from '../contract/client';
import type { EngineStatus, VodRow } from '../contract/domain';
import { appStatus, queueFacts, type AppStatus } from '../contract/status';
import { applyDownload, applyPart, removeVod, upsertVod } from '../contract/vod-updates';

/**
 * The main process's copy of what the window shows, so the tray, its tooltip and the taskbar use
 * the same status model as the header: a snapshot, then the same events the renderer follows.
 * Progress events arrive several times a second; `onChange` is called at most once per `everyMs`.
 */
export interface StatusMirror {
  current(): { status: AppStatus; lastBackupAt: string | null; vods: VodRow[] };
  /** Fetch a fresh snapshot (after an engine restart, events were missed). */
  refresh(): Promise<void>;
  stop(): void;
}

export function mirrorStatus(
  api: EngineApi,
  onChange: (s: { status: AppStatus; lastBackupAt: string | null; vods: VodRow[] }) => void,
  opts: { lowDiskBytes: () => number; everyMs?: number } = { lowDiskBytes: () => 0 },
): StatusMirror {
  let engine: EngineStatus = { state: 'idle', message: null, nextCheckAt: null, diskFreeBytes: null };
  let vods: VodRow[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const current = () => {
    const done = vods
      .filter((v) => v.status === 'completed')
      .map((v) => v.updatedAt)
      .sort();
    return { status: appStatus(engine, queueFacts(vods), opts.lowDiskBytes()), lastBackupAt: done.at(-1) ?? null, vods };
  };
  const changed = () => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      if (!stopped) onChange(current());
    }, opts.everyMs ?? 500);
  };
  const offs = [
    api.on('status', (s) => ((engine = s), changed())),
    api.on('vod', (row) => ((vods = upsertVod(vods, row)), changed())),
    api.on('vod.removed', ({ id }) => ((vods = removeVod(vods, id)), changed())),
    api.on('download.progress', ({ vodId, progress }) => ((vods = applyDownload(vods, vodId, progress)), changed())),
    api.on('part.progress', ({ vodId, part }) => ((vods = applyPart(vods, vodId, part)), changed())),
  ];
  const refresh = async () => {
    const snap = await api['snapshot.get']();
    engine = snap.status;
    vods = snap.vods;
    changed();
  };
  return {
    current,
    refresh,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const off of offs) off();
    },
  };
}
