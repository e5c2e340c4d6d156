import type { UpdateStatus } from '../../../electron/contract/app';
import type { MessageKey } from './i18n';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/**
 * The self-update status in words (Settings > App and the banner). The shell's own `message`
 * is English and technical: it is only shown as the error's detail, never as the sentence.
 */
export function updateText(u: UpdateStatus, t: T): string {
  const version = u.version ?? '';
  switch (u.state) {
    case 'disabled':
      return t('update.disabled');
    case 'idle':
      return t('update.idle');
    case 'checking':
      return t('update.checking');
    case 'upToDate':
      return t('update.upToDate');
    case 'downloading':
      return t('update.downloading', { version });
    case 'waiting':
      return t('update.waiting', { version });
    case 'installing':
      return t('update.installing', { version });
    case 'error':
      return t('update.error');
  }
}

/** Only a downloaded update (and its restart) is worth a banner; the rest lives in Settings. */
export function updateBanner(u: UpdateStatus | null, t: T): string | null {
  return u && (u.state === 'waiting' || u.state === 'installing') ? updateText(u, t) : null;
}
