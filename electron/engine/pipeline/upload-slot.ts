import type { Gate } from './sync';

/**
 * A VOD's hold on the shared upload slot (one upload at a time, across VODs), used by the deliver
 * stage's two loops (upload, post) together: taken when either starts on a part, and given back
 * when both are idle if `keepBetweenParts` says so no longer. An ordinary VOD keeps it to its
 * last part (the VOD in front finishes first, its work folder goes first); a live capture gives
 * it back while it waits for its next part, which can be an hour away, so other VODs upload.
 */
export class UploadSlotHold {
  private working = 0;
  private held: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly gate: Gate,
    private readonly signal: AbortSignal,
    private readonly keepBetweenParts: () => boolean,
  ) {}

  /** Waits for the slot (unless this VOD holds it already). */
  async enter(): Promise<void> {
    // A loop still running after the stage ended (the other one failed) must not take the slot
    // again: nothing would give it back.
    if (this.closed) throw this.signal.reason ?? new Error('the deliver stage has ended');
    this.working++;
    const taking = (this.held ??= this.gate.acquire(this.signal));
    try {
      await taking;
    } catch (error) {
      this.working--;
      if (this.held === taking) this.held = undefined;
      throw error;
    }
  }

  /** Done with a part: the slot goes back now if nothing else runs and the VOD does not keep it. */
  leave(): void {
    this.working--;
    if (this.working === 0 && !this.keepBetweenParts()) this.release();
  }

  /** The stage is over: the slot goes back whatever happened, and is not taken again. */
  giveBack(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    const held = this.held;
    this.held = undefined;
    held?.then(
      () => this.gate.release(),
      () => undefined,
    );
  }
}
