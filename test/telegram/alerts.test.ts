import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AlertSender, decideAlert, emptyLimiterState, formatAlert, type Alert, DEFAULT_LIMITS } from '../../electron/engine/telegram/alerts';

const a = (key: string, kind: Alert['kind'] = 'vod_failed'): Alert => ({ kind, key, title: `VOD ${key} failed`, detail: '<script> & co' });

describe('alerts', () => {
  it('drops repeats of the same problem within the interval, not different problems', () => {
    let s = emptyLimiterState();
    let r = decideAlert(s, a('1'), 0);
    expect(r.send).toBe(true);
    s = r.state;
    r = decideAlert(s, a('1'), 1000);
    expect(r.send).toBe(false);
    s = r.state;
    r = decideAlert(s, a('2'), 2000);
    expect(r.send).toBe(true);
    r = decideAlert(r.state, a('1'), DEFAULT_LIMITS.sameKeyIntervalMs + 1);
    expect(r.send).toBe(true);
  });

  it('property: never more than maxPerWindow alerts in any window', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 120_000 }), fc.string({ maxLength: 3 })), { maxLength: 200 }), (events) => {
        const cfg = { sameKeyIntervalMs: 5_000, maxPerWindow: 4, windowMs: 60_000 };
        let s = emptyLimiterState();
        let t = 0;
        const sent: number[] = [];
        for (const [dt, key] of events) {
          t += dt % 7000;
          const r = decideAlert(s, a(key), t, cfg);
          s = r.state;
          if (r.send) sent.push(t);
        }
        for (const start of sent) expect(sent.filter((x) => x >= start && x < start + cfg.windowMs).length).toBeLessThanOrEqual(cfg.maxPerWindow);
      }),
    );
  });

  it('formats escaped HTML and reports held-back alerts; a failing sender never throws', async () => {
    expect(formatAlert(a('9'), 2)).toBe('❌ <b>VOD 9 failed</b>\n&lt;script&gt; &amp; co\n<i>(2 more alerts were held back)</i>\n<i>Twitch VOD Backup</i>');
    const sent: string[] = [];
    let now = 0;
    const sender = new AlertSender(
      async (html) => void sent.push(html),
      { sameKeyIntervalMs: 10, maxPerWindow: 100, windowMs: 1000 },
      () => now,
    );
    expect(await sender.alert(a('x', 'disk_full'))).toBe(true);
    expect(await sender.alert(a('x', 'disk_full'))).toBe(false);
    now = 20;
    expect(await sender.alert(a('x', 'disk_full'))).toBe(true);
    expect(sent[1]).toContain('1 more alert was held back');
    const broken = new AlertSender(async () => {
      throw new Error('offline');
    });
    expect(await broken.alert(a('y', 'login_needed'))).toBe(false);
  });
});
