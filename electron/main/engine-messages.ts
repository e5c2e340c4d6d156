import type { EngineToHost } from '../contract/host';
import type { Secrets, Settings } from '../contract/settings';
import type { LogLine } from '../engine/util/log';
import { createLogger } from '../engine/util/log';
import type { Notice } from './notifications';

const log = createLogger('main');

export interface EngineMessageDeps {
  saveSecrets(patch: Record<string, string | undefined>): void;
  getSettings(): Settings;
  saveSettings(next: unknown): Settings;
  /** Called after settings from the engine were saved (login item follows them). */
  settingsSaved(next: Settings, previous: Settings): void;
  notify(notice: Notice): void;
  /** The engine (re)started and is ready: the tray and taskbar read its state again. */
  engineReady(): void;
  /** The engine's status changed (a waiting app update may install now). */
  engineStatus(): void;
  writeLog(line: LogLine): void;
}

/** What main does with each message from the engine (persist, notify, tray, log). */
export function createEngineMessageHandler(deps: EngineMessageDeps): (message: EngineToHost) => void {
  return (message) => {
    switch (message.type) {
      case 'ready':
        deps.engineReady();
        break;
      case 'safePoint': // answered inside EngineHost
        break;
      case 'persist.secrets': {
        const patch: Record<string, string | undefined> = { ...message.patch };
        for (const key of message.remove) patch[key] = undefined;
        try {
          deps.saveSecrets(patch as Partial<Secrets>);
        } catch (err) {
          log.error('Could not save secrets; they last until the app quits', err);
        }
        break;
      }
      case 'persist.settings': {
        const previous = deps.getSettings();
        try {
          deps.settingsSaved(deps.saveSettings(message.settings), previous);
        } catch (err) {
          log.error('The engine sent settings that do not validate; not saved', err);
        }
        break;
      }
      case 'notice':
        deps.notify(message.notice);
        break;
      case 'status':
        deps.engineStatus();
        break;
      case 'fatal':
        log.error(`Engine fatal error: ${message.message}`);
        break;
      case 'log':
        deps.writeLog(message.line);
        break;
    }
  };
}

/** The tray and a notification when the engine died and restarts (once per crash streak). */
export function crashNotice(attempt: number, delayMs: number): Notice | null {
  if (attempt !== 1) return null;
  return {
    kind: 'engineRestarted',
    title: 'Twitch VOD Backup restarted its engine',
    body: `The background engine stopped unexpectedly and restarts in ${Math.ceil(delayMs / 1000)} s. Work resumes where it stopped.`,
  };
}
