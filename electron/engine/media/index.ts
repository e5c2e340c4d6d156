/** The media stage's public surface: plan parts, build them, make thumbnails, probe files. */
export { planParts, replanPart, splitRules, estimateMp4Bytes, TELEGRAM_LIMIT_BYTES, TELEGRAM_PREMIUM_LIMIT_BYTES } from './planner';
export type { Unit, PlannedPart, DroppedTail, Plan, SplitRules, SplitSettings, PlanOptions } from './planner';
export { buildPart, partDuration, PartOverCeilingError, durationTolerance } from './build';
export type { BuildPartOptions, BuiltPart } from './build';
export { buildPlannedPart } from './build-planned';
export type { BuiltPiece, PlannedBuildOptions, SegmentUnit } from './build-planned';
export { oneFileUnits, oneFileRules, buildOneFileParts, ONE_FILE_PAYLOAD_RATIO } from './one-file';
export type { OneFileUnit, BuildOneFileOptions } from './one-file';
export { makeThumbnail, THUMB_MAX_BYTES, THUMB_MAX_SIDE } from './thumbnail';
export type { Thumbnail, ThumbnailOptions } from './thumbnail';
export { probeMedia, probePackets, probeKeyframes, streamKey } from './probe';
export type { MediaInfo, Packet, ProbeOptions } from './probe';
export { readTopLevelAtoms, moovFirst, readMp4Summary } from './mp4-atoms';
