import { permanent } from '../util/errors';
import { createLogger } from '../util/log';
import { buildPart, PartOverCeilingError, type BuildPartOptions, type BuiltPart } from './build';
import { replanPart, type PlannedPart, type SplitRules, type Unit } from './planner';

/**
 * Builds one planned part from its segments; if the MP4 comes out over the ceiling (the size
 * estimate was off), re-plans that part's units alone into smaller parts and builds those: at most
 * `maxReplans` times (default 2), each logged. Returns one or more built pieces in order; the
 * caller numbers them into the VOD's parts.
 */
const log = createLogger('media');

export interface SegmentUnit extends Unit {
  path: string;
}

export interface PlannedBuildOptions extends Omit<BuildPartOptions, 'inputs' | 'output' | 'expectedDurationSec' | 'ceilingBytes'> {
  part: PlannedPart;
  /** The part's segments (at least; extra ones are ignored). */
  units: readonly SegmentUnit[];
  rules: SplitRules;
  /** Output path for the piece covering units firstUnit..lastUnit. */
  outputFor: (firstUnit: number, lastUnit: number) => string;
  maxReplans?: number;
}

export interface BuiltPiece {
  firstUnit: number;
  lastUnit: number;
  output: string;
  built: BuiltPart;
}

export async function buildPlannedPart(options: PlannedBuildOptions): Promise<BuiltPiece[]> {
  const { rules, outputFor, part, units, ...rest } = options;
  const maxReplans = options.maxReplans ?? 2;
  const attempt = async (p: PlannedPart, depth: number): Promise<BuiltPiece[]> => {
    const mine = units.filter((u) => u.index >= p.firstUnit && u.index <= p.lastUnit);
    const output = outputFor(p.firstUnit, p.lastUnit);
    try {
      const built = await buildPart({ ...rest, inputs: mine.map((u) => u.path), output, expectedDurationSec: p.durationSec, ceilingBytes: rules.ceilingBytes });
      return [{ firstUnit: p.firstUnit, lastUnit: p.lastUnit, output, built }];
    } catch (err) {
      if (!(err instanceof PartOverCeilingError)) throw err;
      if (depth >= maxReplans) {
        throw permanent('part_over_ceiling', `${err.message}; still over after ${depth} re-plans`);
      }
      const pieces = replanPart(mine, rules, err.builtBytes, p.estimatedBytes);
      log.warn(`${err.message} (estimated ${p.estimatedBytes}); re-planned units ${p.firstUnit}..${p.lastUnit} into ${pieces.length} parts`);
      const out: BuiltPiece[] = [];
      for (const piece of pieces) out.push(...(await attempt(piece, depth + 1)));
      return out;
    }
  };
  return attempt(part, 0);
}
