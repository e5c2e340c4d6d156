import { getVod, updateVod } from '../store/vods';
import type { PartLive, ProgressSink } from './context';
import type { EnginePort } from './ports';

/** Progress to the UI: stage changes are stored, speeds and fractions stay in memory (a few updates a second). */
export function progressSink(engine: EnginePort, vodId: string): ProgressSink {
  let lastEmit = 0;
  return {
    stage(stage) {
      const current = getVod(engine.db, vodId);
      if (current && current.stage !== stage) {
        updateVod(engine.db, vodId, { stage });
        engine.publishVod(vodId);
      }
    },
    download(progress) {
      const live = engine.live.get(vodId);
      if (live) live.download = progress;
      engine.bus.emit('download.progress', { vodId, progress });
    },
    part(index: number, patch: PartLive) {
      const live = engine.live.get(vodId);
      if (!live) return;
      live.parts.set(index, { ...live.parts.get(index), ...patch });
      const now = Date.now();
      // Upload progress comes per 512 KiB chunk; a few updates a second are plenty for a progress bar.
      if (patch.upload === 'active' && patch.uploadProgress !== 0 && now - lastEmit < 250) return;
      lastEmit = now;
      const part = engine.publishVodQuietly(vodId)?.parts.find((p) => p.index === index);
      if (part) engine.bus.emit('part.progress', { vodId, part });
    },
    changed: () => void engine.publishVod(vodId),
  };
}
