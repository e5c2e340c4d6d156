import type { EngineStatus, PartRow, VodRow } from '../../contract/domain';
import type { EventData, EventName } from '../../contract/protocol';
import { formatBytes } from '../download/disk';

/**
 * Headless progress output: on a terminal, a redrawn block with one bar per active VOD and part
 * (lines the block no longer uses are cleared); otherwise (a log file, systemd) one short plain line
 * per change, never a carriage-return mess and never the same line twice.
 */
export interface ProgressPrinter {
  status(status: EngineStatus, summary: string): void;
  event<E extends EventName>(event: E, data: EventData[E]): void;
  close(): void;
}

const BAR_WIDTH = 24;
const TITLE_WIDTH = 24;
const PART_BAR_WIDTH = 10;

export function bar(fraction: number, width = BAR_WIDTH): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|\p{Extended_Pictographic}/u;

/** Terminal columns of one grapheme: East Asian wide characters and emoji take two. */
const columnsOf = (g: string) => (/^[\p{Cc}\p{Cf}\p{M}]+$/u.test(g) ? 0 : WIDE.test(g) ? 2 : 1);

/** At most `columns` terminal columns of `text` (whole graphemes, control characters dropped), "…" marking a cut. */
export function fitColumns(text: string, columns: number): string {
  let out = '';
  let used = 0;
  const parts = [...graphemes.segment(text.replace(/[\p{Cc}]/gu, ' '))].map((s) => s.segment);
  const total = parts.reduce((n, g) => n + columnsOf(g), 0);
  if (total <= columns) return parts.join('');
  for (const g of parts) {
    const w = columnsOf(g);
    if (used + w > columns - 1) break;
    out += g;
    used += w;
  }
  return `${out}…`;
}

const shortTitle = (title: string) => fitColumns(title.trim() || '(untitled)', TITLE_WIDTH);

/** Posted count of a part: shown only once the destinations are known (before that there is nothing to count). */
const postedText = (part: PartRow) => (part.posts.length ? ` posted ${part.posts.filter((p) => p.state === 'done').length}/${part.posts.length}` : '');

export function createProgressPrinter(out: NodeJS.WriteStream): ProgressPrinter {
  const tty = Boolean(out.isTTY);
  const lines = new Map<string, string>();
  const titles = new Map<string, string>();
  const partsTotal = new Map<string, number | null>();
  let drawn = 0;
  let lastStep = new Map<string, string>();
  const redraw = () => {
    if (!tty) return;
    const width = Math.max(20, (out.columns ?? 100) - 1);
    const block = [...lines.values()].map((l) => `\x1b[2K${fitColumns(l, width)}\n`).join('');
    // Up to the block's first line, autowrap off while drawing (a line can never push the block
    // down), then erase whatever the previous, longer block left below.
    out.write(`${drawn ? `\x1b[${drawn}F` : ''}\x1b[?7l${block}\x1b[J\x1b[?7h`);
    drawn = lines.size;
  };
  const plain = (key: string, text: string) => {
    if (tty || lastStep.get(key) === text) return;
    lastStep.set(key, text);
    out.write(`${new Date().toISOString()} ${fitColumns(text, 300)}\n`);
  };
  const vodName = (vodId: string) => `VOD ${vodId}${titles.has(vodId) ? ` ${titles.get(vodId)}` : ''}`;
  const partLine = (vodId: string, part: PartRow) => {
    const total = partsTotal.get(vodId);
    const label = `part ${part.index}${total ? `/${total}` : ''}`;
    // What matters most comes first: a narrow terminal cuts the bar, not the counts.
    lines.set(`${vodId}:${part.index}`, `  ${vodName(vodId)} ${label} build ${part.build}${postedText(part)} upload ${bar(part.uploadProgress, PART_BAR_WIDTH)}`);
    plain(`${vodId}:${part.index}`, `VOD ${vodId} ${label}: build ${part.build}, upload ${part.upload}${postedText(part)}`);
  };
  const onVod = (vod: VodRow) => {
    const title = shortTitle(vod.title);
    // The title goes in the first plain line about a VOD (and when it changes), not in every one.
    const named = titles.get(vod.id) === title ? '' : ` "${title}"`;
    titles.set(vod.id, title);
    partsTotal.set(vod.id, vod.partsTotal);
    const error = vod.lastError ? `: ${vod.lastError.replace(/\s+/g, ' ')}` : '';
    plain(`${vod.id}:status`, `VOD ${vod.id}${named} ${vod.status}/${vod.stage}${error}`);
    if (vod.status === 'completed' || vod.status === 'failed' || vod.status === 'skipped') {
      for (const key of [...lines.keys()]) if (key.startsWith(`${vod.id}:`)) lines.delete(key);
      return;
    }
    // Posting states arrive with the VOD row, not as part progress: the counts come from here.
    for (const part of vod.parts) if (lines.has(`${vod.id}:${part.index}`) || part.posts.length) partLine(vod.id, part);
  };
  return {
    status(status, summary) {
      lines.set('status', `engine: ${summary}`);
      plain('status', `engine ${status.state}: ${summary}`);
      redraw();
    },
    event(event, data) {
      if (event === 'download.progress') {
        const { vodId, progress } = data as EventData['download.progress'];
        const fraction = progress.segmentsTotal ? progress.segmentsDone / progress.segmentsTotal : 0;
        lines.set(`${vodId}:dl`, `${vodName(vodId)} download ${bar(fraction)} ${formatBytes(progress.bytes)} at ${formatBytes(progress.speedBps)}/s`);
        // Plain mode: one line per tenth of the download, not one per segment.
        plain(`${vodId}:dl`, `VOD ${vodId} downloading: ${Math.floor(fraction * 10) * 10}% of ${progress.segmentsTotal} segments`);
      } else if (event === 'part.progress') {
        const { vodId, part } = data as EventData['part.progress'];
        partLine(vodId, part);
      } else if (event === 'vod') {
        onVod(data as EventData['vod']);
      } else {
        return;
      }
      redraw();
    },
    close() {
      lastStep = new Map();
    },
  };
}
