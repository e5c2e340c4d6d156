import type { EngineStatus } from '../../contract/domain';
import type { EventData, EventName } from '../../contract/protocol';

/**
 * Headless progress output: on a terminal, a redrawn block with one bar per active VOD and part;
 * otherwise (a log file, systemd) one plain line per step, never a carriage-return mess.
 */
export interface ProgressPrinter {
  status(status: EngineStatus, summary: string): void;
  event<E extends EventName>(event: E, data: EventData[E]): void;
  close(): void;
}

const BAR_WIDTH = 24;

export function bar(fraction: number, width = BAR_WIDTH): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000;
    i++;
  }
  return `${value.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function createProgressPrinter(out: NodeJS.WriteStream): ProgressPrinter {
  const tty = Boolean(out.isTTY);
  const lines = new Map<string, string>();
  let drawn = 0;
  let lastStep = new Map<string, string>();
  const redraw = () => {
    if (!tty) return;
    const block = [...lines.values()];
    out.write(`${drawn ? `\x1b[${drawn}F` : ''}${block.map((l) => `\x1b[2K${l.slice(0, (out.columns ?? 100) - 1)}`).join('\n')}\n`);
    drawn = block.length;
  };
  const plain = (key: string, text: string) => {
    if (tty || lastStep.get(key) === text) return;
    lastStep.set(key, text);
    out.write(`${new Date().toISOString()} ${text}\n`);
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
        lines.set(`${vodId}:dl`, `VOD ${vodId} download ${bar(fraction)} ${formatBytes(progress.bytes)} at ${formatBytes(progress.speedBps)}/s`);
        plain(`${vodId}:dl`, `VOD ${vodId} downloading: ${progress.segmentsDone}/${progress.segmentsTotal} segments`);
      } else if (event === 'part.progress') {
        const { vodId, part } = data as EventData['part.progress'];
        const posted = part.posts.filter((p) => p.state === 'done').length;
        lines.set(
          `${vodId}:${part.index}`,
          `  part ${part.index} build ${part.build.padEnd(7)} upload ${bar(part.uploadProgress)} posted ${posted}/${part.posts.length}`,
        );
        plain(`${vodId}:${part.index}`, `VOD ${vodId} part ${part.index}: build ${part.build}, upload ${part.upload}, posted ${posted}/${part.posts.length}`);
      } else if (event === 'vod') {
        const vod = data as EventData['vod'];
        plain(`${vod.id}:status`, `VOD ${vod.id} "${vod.title.slice(0, 60)}" ${vod.status}/${vod.stage}${vod.lastError ? `: ${vod.lastError}` : ''}`);
        if (vod.status === 'completed' || vod.status === 'failed' || vod.status === 'skipped') {
          for (const key of [...lines.keys()]) if (key.startsWith(`${vod.id}:`)) lines.delete(key);
        }
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
