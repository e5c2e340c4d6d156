/** The decision of pipeline/limit-change.ts with the real limits (2000 MiB, 4000 MiB with Premium). */
import { describe, expect, it } from 'vitest';
import { TELEGRAM_LIMIT_BYTES, TELEGRAM_PREMIUM_LIMIT_BYTES } from '../../electron/engine/media/planner';
import { firstPartToReplan, type TailPart } from '../../electron/engine/pipeline/limit-change';

const GiB = 1024 ** 3;
const part = (idx: number, sizeBytes: number, more: Partial<TailPart> = {}): TailPart => ({ idx, sizeBytes, sent: false, uploaded: false, partlyUploaded: false, ...more });

describe('firstPartToReplan', () => {
  it('keeps every part when the limit is unchanged and each part fits', () => {
    expect(firstPartToReplan([part(1, GiB), part(2, GiB)], TELEGRAM_LIMIT_BYTES, TELEGRAM_LIMIT_BYTES)).toBeNull();
  });

  it('a higher limit (Premium bought) re-plans the trailing parts Telegram holds nothing of', () => {
    const parts = [part(1, 1.9 * GiB, { sent: true, uploaded: true }), part(2, 1.9 * GiB, { uploaded: true }), part(3, 1.9 * GiB), part(4, GiB)];
    expect(firstPartToReplan(parts, TELEGRAM_LIMIT_BYTES, TELEGRAM_PREMIUM_LIMIT_BYTES)).toBe(3);
  });

  it('a lower limit (Premium lost) also re-plans a partly uploaded part over it, which Telegram would refuse', () => {
    const parts = [part(1, 3.5 * GiB, { sent: true, uploaded: true }), part(2, 3.5 * GiB, { uploaded: true, partlyUploaded: true }), part(3, 3 * GiB)];
    expect(firstPartToReplan(parts, TELEGRAM_PREMIUM_LIMIT_BYTES, TELEGRAM_LIMIT_BYTES)).toBe(2);
  });

  it('a partly uploaded part that still fits stays, and stops the re-plan before it', () => {
    const parts = [part(1, GiB, { sent: true }), part(2, GiB, { uploaded: true, partlyUploaded: true }), part(3, GiB)];
    expect(firstPartToReplan(parts, TELEGRAM_PREMIUM_LIMIT_BYTES, TELEGRAM_LIMIT_BYTES)).toBe(3);
  });

  it('never re-plans a part being sent, posted or fully uploaded, nor anything before it', () => {
    const parts = [part(1, 3.5 * GiB), part(2, 3.5 * GiB, { sent: true })];
    expect(firstPartToReplan(parts, TELEGRAM_PREMIUM_LIMIT_BYTES, TELEGRAM_LIMIT_BYTES)).toBeNull();
    expect(firstPartToReplan([part(1, 3.5 * GiB, { uploaded: true })], TELEGRAM_PREMIUM_LIMIT_BYTES, TELEGRAM_LIMIT_BYTES)).toBeNull();
  });

  it('an unknown stored limit (planned before it was stored) re-plans only from the first part over the limit', () => {
    const parts = [part(1, GiB, { sent: true }), part(2, GiB), part(3, 3 * GiB), part(4, GiB)];
    expect(firstPartToReplan(parts, undefined, TELEGRAM_LIMIT_BYTES)).toBe(3);
    expect(firstPartToReplan(parts.slice(0, 2), undefined, TELEGRAM_LIMIT_BYTES)).toBeNull();
  });
});
