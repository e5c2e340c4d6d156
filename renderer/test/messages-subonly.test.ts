import { describe, expect, it } from 'vitest';
import { needsLoginMessage, playbackTokenRejectedMessage } from '../../electron/engine/download/resolve';
import { ytDlpError } from '../../electron/engine/download/ytdlp';
import { translate, type Language, type MessageKey } from '../src/lib/i18n';
import { humanError, warningText } from '../src/lib/messages';

/**
 * A VOD's failure reaches the queue as the engine's code (VodRow.errorCode) beside its English
 * message: the card says what to do by the code, in the user's language, whatever the sentence.
 */
const t = (lang: Language) => (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params);

describe('VOD failures say what to do, by their code', () => {
  it('a rejected playback token asks for a fresh auth-token in Accounts, in both languages', () => {
    const row = { code: 'playback_token_rejected', message: playbackTokenRejectedMessage('123'), errorClass: 'permanent' };
    expect(humanError(row, 'en', t('en')).text).toBe(translate('en', 'err.code.playback_token_rejected'));
    expect(humanError(row, 'en', t('en')).text).toMatch(/fresh auth-token.*Accounts/);
    expect(humanError(row, 'it', t('it')).text).toMatch(/auth-token nuovo in Account/);
    // The engine's sentence stays one click away.
    expect(humanError(row, 'en', t('en')).detail).toBe(row.message);
  });

  it('a restricted VOD (with or without a token, native or yt-dlp) asks for a token of an account that may watch it', () => {
    const ytDlp = ytDlpError('ERROR: [twitch:vod] 9: HTTP Error 403: Forbidden', 'list the formats');
    const rows = [
      { code: 'vod_manifest_restricted', message: needsLoginMessage('9', false) },
      { code: 'vod_manifest_restricted', message: needsLoginMessage('9', true) },
      { code: ytDlp.code, message: ytDlp.message },
    ];
    for (const row of rows) {
      expect(humanError({ ...row, errorClass: 'permanent' }, 'en', t('en')).text, row.message).toBe(translate('en', 'err.code.vod_manifest_restricted'));
      expect(humanError({ ...row, errorClass: 'permanent' }, 'it', t('it')).text, row.message).toBe(translate('it', 'err.code.vod_manifest_restricted'));
    }
    // Without a code (a row stored before codes were), the class still says something useful.
    expect(humanError({ message: needsLoginMessage('9', false), errorClass: 'permanent' }, 'it', t('it')).text).toBe(translate('it', 'err.class.permanent'));
  });

  it('request errors are mapped by their code, and a bot asked for its chats is told to type the chat', () => {
    expect(humanError({ code: 'playback_token_rejected', message: 'x' }, 'en', t('en')).text).toBe(translate('en', 'err.code.playback_token_rejected'));
    const bot = humanError({ code: 'BOT_NO_CHAT_LIST', errorClass: 'permanent', message: 'A bot cannot list its chats: type the chat id (-100…) or @username.' }, 'it', t('it'));
    expect(bot.text).toBe(translate('it', 'err.code.BOT_NO_CHAT_LIST'));
    // Other failures are not taken for sub-only ones.
    expect(humanError({ message: 'Twitch usher answered 500 for VOD 1.', errorClass: 'transient' }, 'en', t('en')).text).toBe(translate('en', 'err.class.transient'));
  });

  it('a save warning naming a Telegram error is said in words; any other warning as the engine gave it', () => {
    expect(warningText('CHAT_WRITE_FORBIDDEN: this account cannot post in @news', 'it', t('it'))).toBe(translate('it', 'err.tg.CHAT_WRITE_FORBIDDEN'));
    // The engine's "cannot post" warning (engine/core/queries/destination-warnings.ts) says what to do.
    expect(warningText('This account cannot post in News: not an administrator', 'it', t('it'))).toBe(translate('it', 'dest.cannotPost'));
    expect(warningText('The topic 7 is closed.', 'en', t('en'))).toBe('The topic 7 is closed.');
  });

  it('every code a VOD row can carry that the UI knows has words in both languages, and a missing tool names where to set it', () => {
    for (const code of ['vod_not_found', 'source_gone', 'channel_unknown', 'no_destination', 'replan_limit', 'ffmpeg_missing', 'ffprobe_missing', 'yt-dlp_missing', 'cancelled']) {
      const en = humanError({ code, message: 'engine text', errorClass: 'permanent' }, 'en', t('en')).text;
      const itText = humanError({ code, message: 'engine text', errorClass: 'permanent' }, 'it', t('it')).text;
      expect(en).toBe(translate('en', `err.code.${code}` as MessageKey));
      expect(itText).toBe(translate('it', `err.code.${code}` as MessageKey));
      expect(itText).not.toBe(en);
    }
    expect(humanError({ code: 'ffmpeg_missing', message: 'x' }, 'it', t('it')).text).toContain('Impostazioni > Avanzate > Strumenti');
  });
});
