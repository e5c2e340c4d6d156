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

  constructor(
    private readonly gate: Gate,
    private readonly signal: AbortSignal,
    private readonly keepBetweenParts: () => boolean,
  ) {}

  /** Waits for the slot (unless this VOD holds it already). */
  async enter(): Promise<void> {
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
    if (this.working === 0 && !this.keepBetweenParts()) this.giveBack();
  }

  /** The stage is over: the slot goes back whatever happened. */
  giveBack(): void {
    const held = this.held;
    this.held = undefined;
    held?.then(
      () => this.gate.release(),
      () => undefined,
    );
  }
}
