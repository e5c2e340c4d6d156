import type { SplitRules } from '../../electron/engine/media/planner';

/**
 * Split rules for tiny test media: the real frame rates behind the moov reservation, a small
 * ceiling, no balancing or merging of small parts, nothing dropped at the end.
 */
export const tinyRules = (ceilingBytes: number, payloadRatio = 184 / 188): SplitRules => ({
  ceilingBytes,
  payloadRatio,
  videoFps: 60,
  audioFramesPerSec: 48_000 / 1024,
  minPartBytes: 0,
  mergeThresholdBytes: 0,
  midTargetRatio: 0.5,
  dropThresholdSec: 0,
});
