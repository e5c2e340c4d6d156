import type { Problem } from '../../../electron/contract/settings';
import type { Language, MessageKey } from './i18n';
import { FIELDS } from './settings-fields';

/**
 * Human messages (issue 13 item 6): a settings problem names the field by its label and says
 * the rule in words; an engine error becomes what to do, in the user's language, with the raw
 * text kept as the technical detail one click away.
 */
type T = (key: MessageKey, params?: Record<string, string | number>) => string;

const LABELS: Record<string, Record<Language, string>> = Object.fromEntries(
  Object.values(FIELDS)
    .flat()
    .map((f) => [f.path, f.label]),
);
const EXTRA: Record<string, Record<Language, string>> = {
  'twitch.clientId': { en: 'Twitch Client ID', it: 'Client ID di Twitch' },
  'secrets.twitchClientSecret': { en: 'Twitch Client Secret (Accounts)', it: 'Client Secret di Twitch (Account)' },
  'twitch.channels': { en: 'Twitch channels', it: 'Canali Twitch' },
  destinations: { en: 'Destinations', it: 'Destinazioni' },
  'telegram.apiId': { en: 'Telegram api_id', it: 'api_id di Telegram' },
  'telegram.apiHash': { en: 'Telegram api_hash', it: 'api_hash di Telegram' },
};

/** The label of a dotted settings path; list items name their list and position. */
export function fieldLabel(path: string, lang: Language): string {
  const direct = EXTRA[path] ?? LABELS[path];
  if (direct) return direct[lang];
  const item = /^(twitch\.channels|destinations)\.(\d+)(?:\.(\w+))?/.exec(path);
  if (item) {
    const list = EXTRA[item[1]][lang];
    return `${list} ${Number(item[2]) + 1}${item[3] ? ` (${item[3]})` : ''}`;
  }
  return path;
}

/** One problem in words: "Retries before failing must be a number." */
export function problemText(p: Problem, lang: Language, t: T): string {
  const label = fieldLabel(p.path, lang);
  const m = p.message;
  let hit: RegExpExecArray | null;
  if (/expected number|received NaN/i.test(m)) return t('problem.number', { label });
  if (/expected int/i.test(m)) return t('problem.integer', { label });
  if (/^is required\b|expected (string|array) to have >=1\b/i.test(m)) return t('problem.required', { label });
  if ((hit = /expected number to be >=?(-?[\d.]+)/i.exec(m))) return t('problem.min', { label, n: hit[1] });
  if ((hit = /expected number to be <=?(-?[\d.]+)/i.exec(m))) return t('problem.max', { label, n: hit[1] });
  // Our own schema rules are already sentences ("must be a chat id like -100…"); dotted paths in them get labels.
  return t('problem.format', { label, rule: m.replace(/\b[a-z]+\.[a-zA-Z.]+\b/g, (path) => (LABELS[path] || EXTRA[path] ? fieldLabel(path, lang) : path)) });
}

/** The setup banner: labels, not field paths. */
export function setupText(problems: Problem[], lang: Language, t: T): string {
  return t('problem.setup', { fields: [...new Set(problems.map((p) => fieldLabel(p.path, lang)))].join(', ') });
}

export interface HumanError {
  text: string;
  /** The raw message, for "Technical details". */
  detail: string;
}

const TG_ERRORS = ['CHAT_WRITE_FORBIDDEN', 'CHAT_ADMIN_REQUIRED', 'CHANNEL_PRIVATE', 'PEER_ID_INVALID', 'FLOOD_WAIT'] as const;
const FS_ERRORS = ['ENOTDIR', 'EACCES', 'ENOENT', 'ENOSPC'] as const;
const CODES = new Set([
  'invalid_params',
  'invalid_settings',
  'not_ready',
  'not_found',
  'engine_restarted',
  'twitch_credentials_missing',
  'twitch_auth_rejected',
  'twitch_unauthorized',
  'telegram_login_needed',
  'telegram_api_missing',
  'channel_not_found',
  'timeout',
  'BOT_NO_CHAT_LIST',
  'playback_token_rejected',
  'vod_manifest_restricted',
  // A VOD's stored error (VodRow.errorCode): what to do, where the engine's sentence is English.
  'vod_not_found',
  'source_gone',
  'channel_unknown',
  'no_destination',
  'replan_limit',
  'ffmpeg_missing',
  'ffprobe_missing',
  'yt-dlp_missing',
  'cancelled',
]);

/** A request error ({code, field, errorClass, message}) or a VOD's stored error (code, class, message). */
export function humanError(error: { code?: string; field?: string; errorClass?: string | null; message?: string } | null | undefined, lang: Language, t: T): HumanError {
  const detail = error?.message ?? String(error ?? '');
  const code = error?.code;
  if (code && CODES.has(code)) return { text: t(`err.code.${code}` as MessageKey, { field: error?.field ? fieldLabel(error.field.replace(/^params\./, ''), lang) : '' }), detail };
  const tg = TG_ERRORS.find((name) => detail.includes(name));
  if (tg) return { text: t(`err.tg.${tg}`), detail };
  const fs = FS_ERRORS.find((name) => new RegExp(`\\b${name}\\b`).test(detail));
  if (fs) return { text: t(`err.fs.${fs}`), detail };
  const cls = error?.errorClass;
  if (cls === 'transient' || cls === 'permanent' || cls === 'login' || cls === 'disk' || cls === 'cancelled') return { text: t(`err.class.${cls}`), detail };
  return { text: t('error.generic', { message: detail }), detail };
}

/**
 * A warning the engine gave on save (settings.update `warnings`): its own sentence is English, so
 * a Telegram or file-system cause it names is said in the user's language; otherwise as given.
 */
export function warningText(message: string, lang: Language, t: T): string {
  const human = humanError({ message }, lang, t);
  if (human.text !== t('error.generic', { message })) return human.text;
  // engine/core/queries/destination-warnings.ts: "This account cannot post in <name>: <reason>".
  return /\bcannot post in\b/i.test(message) ? t('dest.cannotPost') : message;
}
