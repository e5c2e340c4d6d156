import type { DownloadProgress, PartRow, VodRow } from '../../../electron/contract/domain';

/**
 * Pure updates of the queue from engine events: each returns a new list so Svelte sees the
 * change, and events for unknown VODs are ignored (a `vod` event with the whole row follows).
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

const ACTIVE: Record<VodRow['status'], number> = { processing: 0, pending: 1, live: 2, failed: 3, completed: 4, skipped: 5 };

/** Working VODs first, then waiting ones, then recent finishes; oldest broadcast first within a group. */
export function sortQueue(list: VodRow[]): VodRow[] {
  return list.slice().sort((a, b) => ACTIVE[a.status] - ACTIVE[b.status] || a.createdAt.localeCompare(b.createdAt));
}

/** Bytes built/uploaded over all parts, for the VOD's overall upload bar. */
export function uploadFraction(v: VodRow): number {
  const total = v.partsTotal ?? v.parts.length;
  if (!total) return 0;
  const done = v.parts.reduce((sum, p) => sum + (p.upload === 'done' ? 1 : p.uploadProgress), 0);
  return Math.min(1, done / total);
}

export function downloadFraction(d: DownloadProgress | null): number {
  if (!d || d.segmentsTotal === 0) return 0;
  return Math.min(1, d.segmentsDone / d.segmentsTotal);
}
