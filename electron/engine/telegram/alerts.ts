import { createLogger } from '../util/log';
import { escapeHtml, truncateCaptionHtml } from './caption';

/**
 * Critical alerts to a Telegram chat (a VOD failed for good, login needed, disk full), rate
 * limited so a failure loop cannot flood the chat. The limiter is pure; the sender is a thin shell.
 */

export type AlertKind = 'vod_failed' | 'login_needed' | 'disk_full' | 'other';

export interface Alert {
  kind: AlertKind;
  /** Same key = same problem; repeats within `sameKeyIntervalMs` are dropped. */
  key: string;
  title: string;
  detail?: string;
}

export interface LimiterConfig {
  /** Minimum time between two alerts with the same key. Default 6 h. */
  sameKeyIntervalMs: number;
  /** At most this many alerts per window overall. Default 10 per hour. */
  maxPerWindow: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: LimiterConfig = { sameKeyIntervalMs: 6 * 3600_000, maxPerWindow: 10, windowMs: 3600_000 };

export interface LimiterState {
  lastByKey: Record<string, number>;
  sentAt: number[];
  /** Alerts dropped since the last one sent (reported with the next). */
  suppressed: number;
}

export const emptyLimiterState = (): LimiterState => ({ lastByKey: {}, sentAt: [], suppressed: 0 });

/** Pure decision: may `alert` go out at `now`? Returns the next state either way. */
export function decideAlert(state: LimiterState, alert: Alert, now: number, cfg: LimiterConfig = DEFAULT_LIMITS): { send: boolean; state: LimiterState } {
  const sentAt = state.sentAt.filter((t) => now - t < cfg.windowMs);
  const last = state.lastByKey[`${alert.kind}:${alert.key}`];
  const tooSoon = last !== undefined && now - last < cfg.sameKeyIntervalMs;
  if (tooSoon || sentAt.length >= cfg.maxPerWindow) {
    return { send: false, state: { ...state, sentAt, suppressed: state.suppressed + 1 } };
  }
  return {
    send: true,
    state: { lastByKey: { ...state.lastByKey, [`${alert.kind}:${alert.key}`]: now }, sentAt: [...sentAt, now], suppressed: 0 },
  };
}

const ICONS: Record<AlertKind, string> = { vod_failed: '❌', login_needed: '🔑', disk_full: '💾', other: '⚠️' };

/** Alert text as Telegram HTML (escaped, within the 4096-char message limit). */
export function formatAlert(alert: Alert, suppressed = 0): string {
  const lines = [`${ICONS[alert.kind]} <b>${escapeHtml(alert.title)}</b>`];
  if (alert.detail) lines.push(escapeHtml(alert.detail));
  if (suppressed > 0) lines.push(`<i>(${suppressed} more alert${suppressed === 1 ? ' was' : 's were'} held back)</i>`);
  lines.push('<i>Twitch VOD Backup</i>');
  return truncateCaptionHtml(lines.join('\n'), 4096);
}

const log = createLogger('telegram.alerts');

/** Sends alerts through `send` (e.g. connection.sendText to the alert chat), rate limited. */
export class AlertSender {
  private state: LimiterState = emptyLimiterState();
  constructor(
    private readonly send: (html: string) => Promise<unknown>,
    private readonly cfg: LimiterConfig = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns true when the alert was sent; never throws (an alert must not fail the pipeline). */
  async alert(alert: Alert): Promise<boolean> {
    const suppressed = this.state.suppressed;
    const decision = decideAlert(this.state, alert, this.now(), this.cfg);
    this.state = decision.state;
    if (!decision.send) return false;
    try {
      await this.send(formatAlert(alert, suppressed));
      return true;
    } catch (err) {
      log.warn(`alert "${alert.title}" could not be sent`, err instanceof Error ? err.message : String(err));
      return false;
    }
  }
}
