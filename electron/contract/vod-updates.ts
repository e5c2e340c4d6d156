import type { DownloadProgress, PartRow, VodRow } from './domain';

/**
 * Pure updates of a list of VOD rows from engine events: each returns a new list (so Svelte sees
 * the change), and events for unknown VODs are ignored (a `vod` event with the whole row follows).
 * Used by the renderer's queue and by the main process's status mirror (tray, taskbar).
 */
export function upsertVod(list: VodRow[], row: VodRow): VodRow[] {
  const i = list.findIndex((v) => v.id === row.id);
  if (i < 0) return [...list, row];
  const next = list.slice();
  next[i] = row;
  return next;
}

export function removeVod(list: VodRow[], id: string): VodRow[] {
  return list.filter((v) => v.id !== id);
}

export function applyDownload(list: VodRow[], vodId: string, progress: DownloadProgress): VodRow[] {
  return list.map((v) => (v.id === vodId ? { ...v, download: progress } : v));
}

export function applyPart(list: VodRow[], vodId: string, part: PartRow): VodRow[] {
  return list.map((v) => {
    if (v.id !== vodId) return v;
    const i = v.parts.findIndex((p) => p.index === part.index);
    const parts = i < 0 ? [...v.parts, part].sort((a, b) => a.index - b.index) : v.parts.map((p) => (p.index === part.index ? part : p));
    return { ...v, parts };
  });
}
