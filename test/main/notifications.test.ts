import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notice } from '../../electron/main/notifications';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const { notificationFor, showNotice } = await import('../../electron/main/notifications');

beforeEach(() => {
  electron.Notification.shown.length = 0;
  electron.Notification.supported = true;
});

const notices: Notice[] = [
  { kind: 'vodCompleted', title: 'Backed up: Stream 1', body: '5 parts posted to 2 chats', vodId: '111' },
  { kind: 'vodFailed', title: 'Failed: Stream 2', body: 'Telegram refused the file', vodId: '222' },
  { kind: 'loginNeeded', title: 'Telegram login needed', body: 'The session was revoked' },
  { kind: 'lowDisk', title: 'Low disk space', body: '1.2 GB free in the work folder' },
  { kind: 'engineError', title: 'Engine error', body: 'database locked' },
  { kind: 'engineRestarted', title: 'Engine restarted', body: 'restarting in 1 s' },
  { kind: 'closedToTray', title: 'Still running', body: 'in the tray' },
];

describe('notifications', () => {
  it('shows exactly one notification per event, with its title and body', () => {
    for (const notice of notices) showNotice(notice, () => undefined);
    expect(electron.Notification.shown.map((n) => n.options.title)).toEqual(notices.map((n) => n.title));
    expect(electron.Notification.shown.map((n) => n.options.body)).toEqual(notices.map((n) => n.body));
  });

  it('a click on "VOD backed up" opens that VOD; login needed opens settings; low disk opens the window', () => {
    const clicks: unknown[] = [];
    for (const notice of notices.slice(0, 4)) showNotice(notice, (c) => clicks.push(c));
    for (const n of electron.Notification.shown) n.emit('click');
    expect(clicks).toEqual([{ action: 'openVod', vodId: '111' }, { action: 'openVod', vodId: '222' }, { action: 'openSettings' }, { action: 'openWindow' }]);
  });

  it('a channel discovery cannot check opens settings (where the channel is fixed)', () => {
    expect(notificationFor({ kind: 'channelProblem', title: 'Channel x cannot be checked', body: 'Twitch has no channel "x"' })).toMatchObject({
      urgency: 'normal',
      click: { action: 'openSettings' },
    });
  });

  it('marks problems that need the user as critical and successes as quiet', () => {
    expect(notificationFor(notices[0]!).urgency).toBe('low');
    expect(notificationFor(notices[2]!).urgency).toBe('critical');
    expect(notificationFor(notices[3]!).urgency).toBe('critical');
    expect(notificationFor({ kind: 'vodCompleted', title: 't', body: 'b' }).click).toEqual({ action: 'openWindow' });
  });

  it('caps long texts and shows nothing where notifications are unsupported', () => {
    expect(notificationFor({ kind: 'vodFailed', title: 'x'.repeat(1000), body: 'y'.repeat(5000) }).body.length).toBeLessThanOrEqual(400);
    electron.Notification.supported = false;
    showNotice(notices[0]!, () => undefined);
    expect(electron.Notification.shown).toHaveLength(0);
  });
});

describe('notifications in the UI language, with an action', () => {
  it('titles a notice by its kind in Italian, keeps the engine text (it names the VOD) in the body, and offers "open the VOD"', () => {
    const spec = notificationFor({ kind: 'vodFailed', title: 'Failed: Stream 2', body: 'Telegram refused the file', vodId: '222' }, 'it');
    expect(spec).toMatchObject({ title: 'VOD non riuscito', body: 'Failed: Stream 2\nTelegram refused the file', action: 'Apri il VOD' });
    expect(notificationFor({ kind: 'closedToTray', title: 'Still running', body: 'in the tray' }, 'it').body).toContain('area di notifica');
    expect(notificationFor({ kind: 'loginNeeded', title: 't', body: 'b' }, 'it').action).toBeUndefined();
  });

  it('the action button does what a click does', () => {
    const clicks: unknown[] = [];
    showNotice({ kind: 'vodFailed', title: 'Failed: Stream 2', body: 'x', vodId: '222' }, (c) => clicks.push(c), undefined, 'en');
    const n = electron.Notification.shown.at(-1)!;
    expect(n.options.actions).toEqual([{ type: 'button', text: 'Open the VOD' }]);
    n.emit('action');
    expect(clicks).toEqual([{ action: 'openVod', vodId: '222' }]);
  });
});
