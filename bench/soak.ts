/**
 * `npm run bench -- soak` (issue 17 item 10): thousands of turns of the scheduler's loop on the
 * engine as the app starts it (startEngine, in this process so its signals can be inspected), each
 * turn a full discovery pass ("Check now", the `queue.checkNow` request) against a Twitch stand-in
 * (its own process, so its request log does not count) that has nothing new: one channel, no VODs.
 * Check interval at its minimum (30 s). A turn ends when the engine reports a new status with a
 * new `nextCheckAt` (the loop's updateStatus, right before it sleeps again).
 *
 * Every AbortSignal that gets an `abort` listener is remembered (weakly) by wrapping
 * EventTarget.prototype.addEventListener; at CHECKPOINTS the abort listeners on the live ones are
 * counted (events.getEventListeners), the heap is measured after a full GC and RSS read.
 *
 * Fields: `rssGrowthMB` and `heapGrowthMB` (last checkpoint - the one after the first tenth of the
 * turns: warm-up left out), `abortListeners` (per checkpoint: the total on live signals) with
 * `abortListenersGrowth` (the same two checkpoints) and `maxListenersOnOneSignal`, `maxListenersWarnings`
 * (MaxListenersExceededWarning seen), `msPerTurn` (mean, deferred turns included) and `msPerTurnMedian`, `checkNowDuringPassPasses` (a second "Check now"
 * sent while a pass runs: 2 when it gets a pass of its own within 5 s, 1 when it waits for the loop's
 * next timer, up to the check interval), `deferredTurns` (turns that took over 5 s: the request
 * waited for the timer), the load beside each figure.
 */
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEngine } from '../electron/engine/core/start-engine';
import type { TwitchStandIn } from '../test/fakes/twitch/server';
import { standInSettings } from '../test/pipeline/helpers';
import { load1m, median, round } from './lib/ab';
import { startTwitchProcess } from './lib/processes';

const TURNS = Number(process.env.BENCH_SOAK_TURNS ?? 3000);
const CHECKPOINTS = 10;
const say = (s: string) => process.stderr.write(`[bench soak] ${s}\n`);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const signals = new Set<WeakRef<AbortSignal>>();
const seen = new WeakSet<AbortSignal>();
const add = EventTarget.prototype.addEventListener;
EventTarget.prototype.addEventListener = function (this: EventTarget, type: string, ...rest: [EventListenerOrEventListenerObject | null, (AddEventListenerOptions | boolean)?]) {
  if (type === 'abort' && this instanceof AbortSignal && !seen.has(this)) {
    seen.add(this);
    signals.add(new WeakRef(this));
  }
  return add.call(this, type, ...rest);
};

function listenerCounts(): { total: number; max: number; live: number } {
  let total = 0;
  let max = 0;
  let live = 0;
  for (const ref of signals) {
    const s = ref.deref();
    if (!s) {
      signals.delete(ref);
      continue;
    }
    const n = getEventListeners(s, 'abort').length;
    if (n > 0) live++;
    total += n;
    max = Math.max(max, n);
  }
  return { total, max, live };
}

export default async () => {
  let warnings = 0;
  process.on('warning', (w) => void (w.name === 'MaxListenersExceededWarning' && warnings++));
  const dir = mkdtempSync(join(tmpdir(), 'tvb-bench-soak-'));
  const twitch = await startTwitchProcess(dir, { users: [{ id: '1', login: 'streamer' }], vods: [] });
  let lastNextCheck = '';
  let onTurn: () => void = () => {};
  const settings = standInSettings(twitch as unknown as TwitchStandIn, {
    vod: { checkIntervalSec: 30 },
    destinations: [{ kind: 'folder', name: 'Out', path: join(dir, 'out') }],
  });
  const engine = await startEngine({
    paths: { dataDir: dir, logFile: '', resourcesDir: '' },
    settings,
    secrets: { twitchClientSecret: twitch.clientSecret },
    host: {
      persistSecrets: () => {},
      persistSettings: () => {},
      notice: () => {},
      status: (s) => {
        if (s.nextCheckAt && s.nextCheckAt !== lastNextCheck) {
          lastNextCheck = s.nextCheckAt;
          onTurn();
        }
      },
    },
  });
  const checkpoints: Array<{ turn: number; rssMB: number; heapMB: number; listeners: number; maxOnOne: number; load1m: number }> = [];
  const measure = (turn: number) => {
    gc();
    const m = process.memoryUsage();
    const l = listenerCounts();
    checkpoints.push({ turn, rssMB: round(m.rss / 2 ** 20), heapMB: round(m.heapUsed / 2 ** 20), listeners: l.total, maxOnOne: l.max, load1m: load1m() });
  };
  try {
    let deferred = 0;
    const turnMs: number[] = [];
    const turn = async () => {
      const seen = new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no loop turn within 90 s (status: ${lastNextCheck})`)), 90_000);
        onTurn = () => (clearTimeout(timer), res());
      });
      const t = performance.now();
      const response = await engine.dispatch({ kind: 'request', id: 1, method: 'queue.checkNow', params: {} });
      if (!response.ok) throw new Error(`queue.checkNow: ${response.error.message}`);
      await seen;
      // A turn far longer than a pass: the request waited for the loop's timer.
      turnMs.push(performance.now() - t);
      if (turnMs.at(-1)! > 5000) deferred++;
      // The status comes from inside the pass (startDueJobs): let the loop reach its sleep first.
      await new Promise((r) => setImmediate(r));
    };
    await turn(); // the first discovery (started with the engine) and one more
    measure(0);
    const t0 = performance.now();
    for (let i = 1; i <= TURNS; i++) {
      await turn();
      if (i % (TURNS / CHECKPOINTS) === 0) {
        measure(i);
        say(`turn ${i}: rss ${checkpoints.at(-1)!.rssMB} MB, heap ${checkpoints.at(-1)!.heapMB} MB, abort listeners ${checkpoints.at(-1)!.listeners}`);
      }
    }
    const msPerTurn = (performance.now() - t0) / TURNS;
    // A second "Check now" sent from inside a pass (the status callback the pass's startDueJobs
    // triggers): does it get a pass of its own within 5 s, or does it wait for the loop's timer?
    let passes = 0;
    const check = () => engine.dispatch({ kind: 'request', id: 2, method: 'queue.checkNow', params: {} });
    onTurn = () => {
      if (++passes === 1) void check();
    };
    await check();
    await new Promise((r) => setTimeout(r, 5000));
    const warm = checkpoints[1]!;
    const last = checkpoints.at(-1)!;
    return {
      turns: TURNS,
      rssGrowthMB: round(last.rssMB - warm.rssMB),
      heapGrowthMB: round(last.heapMB - warm.heapMB),
      abortListeners: checkpoints.map((c) => c.listeners),
      abortListenersGrowth: last.listeners - warm.listeners,
      maxListenersOnOneSignal: Math.max(...checkpoints.map((c) => c.maxOnOne)),
      maxListenersWarnings: warnings,
      rssMB: checkpoints.map((c) => c.rssMB),
      heapMB: checkpoints.map((c) => c.heapMB),
      checkpointLoad1m: checkpoints.map((c) => c.load1m),
      msPerTurn: round(msPerTurn),
      msPerTurnMedian: round(median(turnMs)),
      checkNowDuringPassPasses: passes,
      deferredTurns: deferred,
      load1mEnd: load1m(),
    };
  } finally {
    await engine.stop();
    await twitch.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
