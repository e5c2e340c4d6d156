import type { Problem, Settings } from '../../../contract/settings';
import { bounded } from '../../util/deadline';
import { createLogger } from '../../util/log';
import type { TelegramService } from '../telegram-service';

const log = createLogger('settings');

/** A save waits this long at most for Telegram's answer; later, the first post will tell. */
const CHECK_WAIT_MS = 20_000;

/**
 * "This account cannot post in X" for the Telegram destinations just saved, by field
 * (`destinations.N.chatId`). Never fails the save: when Telegram is slow or unreachable, nothing.
 */
export async function destinationWarnings(telegram: Pick<TelegramService, 'destinationProblems'>, destinations: Settings['destinations']): Promise<Problem[]> {
  try {
    return await bounded(telegram.destinationProblems(destinations), { ms: CHECK_WAIT_MS, what: 'checking the Telegram destinations', code: 'TELEGRAM_TIMEOUT' });
  } catch (error) {
    log.info(`destinations not checked: ${(error as Error).message}`);
    return [];
  }
}
