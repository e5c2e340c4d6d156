import { Notification } from 'electron';
import type { Notice as EngineNotice } from '../contract/protocol';
import { shellText, type ShellLanguage } from '../contract/shell-text';
import { createLogger } from '../engine/util/log';

const log = createLogger('main.notify');

/** The engine's notices (host contract) plus the shell's own. */
export type Notice = EngineNotice | { kind: 'engineRestarted' | 'closedToTray'; title: string; body: string; vodId?: string };

export type NoticeClick = { action: 'openVod'; vodId: string } | { action: 'openWindow' } | { action: 'openSettings' };

export interface NotificationSpec {
  title: string;
  body: string;
  urgency: 'low' | 'normal' | 'critical';
  click: NoticeClick;
  /** A button that does what the click does (macOS shows notification actions). */
  action?: string;
}

/**
 * Pure: what to show for a notice and what a click on it does. In English the engine's own title
 * is shown; in another language the kind's title from the shared table, with the engine's title
 * (it names the VOD) leading the body.
 */
export function notificationFor(notice: Notice, lang: ShellLanguage = 'en'): NotificationSpec {
  const spec = baseSpec(notice, lang);
  return notice.vodId && (notice.kind === 'vodFailed' || notice.kind === 'vodCompleted') ? { ...spec, action: shellText(lang, 'notice.openVod') } : spec;
}

function baseSpec(notice: Notice, lang: ShellLanguage): NotificationSpec {
  const translated = lang !== 'en';
  const title = (translated ? shellText(lang, `notice.${notice.kind}`) : notice.title).slice(0, 120);
  const body = (translated && notice.kind === 'closedToTray' ? shellText(lang, 'notice.closedToTrayBody') : translated ? `${notice.title}\n${notice.body}` : notice.body).slice(
    0,
    400,
  );
  switch (notice.kind) {
    case 'vodCompleted':
      return { title, body, urgency: 'low', click: notice.vodId ? { action: 'openVod', vodId: notice.vodId } : { action: 'openWindow' } };
    case 'vodFailed':
      return { title, body, urgency: 'normal', click: notice.vodId ? { action: 'openVod', vodId: notice.vodId } : { action: 'openWindow' } };
    case 'loginNeeded':
      return { title, body, urgency: 'critical', click: { action: 'openSettings' } };
    case 'lowDisk':
      return { title, body, urgency: 'critical', click: { action: 'openWindow' } };
    case 'channelProblem':
      return { title, body, urgency: 'normal', click: { action: 'openSettings' } };
    case 'engineError':
    case 'engineRestarted':
      return { title, body, urgency: 'normal', click: { action: 'openWindow' } };
    case 'closedToTray':
      return { title, body, urgency: 'low', click: { action: 'openWindow' } };
  }
}

/** Windows shows notifications only for an app with an AppUserModelID (= electron-builder appId). */
export const APP_USER_MODEL_ID = 'io.github.twitchvodbackup.app';

export function showNotice(notice: Notice, onClick: (click: NoticeClick) => void, icon?: string, lang: ShellLanguage = 'en'): void {
  if (!Notification.isSupported()) {
    log.info('Notifications unsupported; notice dropped', { kind: notice.kind });
    return;
  }
  const spec = notificationFor(notice, lang);
  const n = new Notification({
    title: spec.title,
    body: spec.body,
    urgency: spec.urgency,
    icon,
    silent: spec.urgency === 'low',
    actions: spec.action ? [{ type: 'button', text: spec.action }] : [],
  });
  n.on('click', () => onClick(spec.click));
  n.on('action', () => onClick(spec.click));
  n.show();
}
