/**
 * Turns byte and segment counts into DownloadProgress events, a few per second at most: speed over
 * a sliding window of the last seconds, ETA from the media duration still to fetch.
 */
import type { DownloadProgress } from '../../contract/domain';

export interface ProgressTrackerOptions {
  segmentsTotal: number;
  segmentsDone: number;
  /** Bytes already on disk before this run. */
  bytesDone: number;
  durationTotalSec: number;
  durationDoneSec: number;
  intervalMs?: number;
  emit?: (p: DownloadProgress) => void;
  now?: () => number;
  windowMs?: number;
}

export class ProgressTracker {
  private bytes: number;
  private segmentsDone: number;
  private durationDone: number;
  private doneSegmentBytes: number;
  private samples: Array<[number, number]> = [];
  private timer: NodeJS.Timeout | undefined;
  private lastEmitted = '';
  private readonly now: () => number;

  constructor(private readonly o: ProgressTrackerOptions) {
    this.bytes = o.bytesDone;
    this.doneSegmentBytes = o.bytesDone;
    this.segmentsDone = o.segmentsDone;
    this.durationDone = o.durationDoneSec;
    this.now = o.now ?? Date.now;
    this.samples.push([this.now(), this.bytes]);
    if (o.emit) {
      this.timer = setInterval(() => this.flush(), o.intervalMs ?? 250);
      this.timer.unref();
    }
  }

  /** Bytes received (negative to take back the bytes of a failed attempt). */
  addBytes(n: number): void {
    this.bytes += n;
  }

  segmentDone(durationSec: number, bytes: number): void {
    this.segmentsDone++;
    this.durationDone += durationSec;
    this.doneSegmentBytes += bytes;
  }

  snapshot(): DownloadProgress {
    const now = this.now();
    const windowMs = this.o.windowMs ?? 3000;
    this.samples.push([now, this.bytes]);
    while (this.samples.length > 2 && now - this.samples[1][0] >= windowMs) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const speed = now > t0 ? Math.max(0, ((this.bytes - b0) * 1000) / (now - t0)) : 0;
    let eta: number | null = null;
    if (this.segmentsDone >= this.o.segmentsTotal) eta = 0;
    else if (speed > 0 && this.durationDone > 0) {
      const perSec = this.doneSegmentBytes / this.durationDone;
      const remaining = Math.max(0, perSec * this.o.durationTotalSec - this.bytes);
      eta = Math.round(remaining / speed);
    }
    return { bytes: Math.max(0, this.bytes), segmentsDone: this.segmentsDone, segmentsTotal: this.o.segmentsTotal, speedBps: Math.round(speed), etaSec: eta };
  }

  flush(): void {
    if (!this.o.emit) return;
    const p = this.snapshot();
    const key = `${p.bytes}/${p.segmentsDone}`;
    if (key === this.lastEmitted) return;
    this.lastEmitted = key;
    this.o.emit(p);
  }

  /** Stops the timer and emits the final state. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }
}
