import type { Language } from './i18n';

/**
 * The settings form as data: every scalar setting of SettingsSchema with its control, grouped as
 * in the legacy config.json. Lists of objects (channels, destinations) and the Telegram test
 * server have their own editors. Labels in both languages live next to the field they name.
 */
export type FieldKind = 'text' | 'number' | 'int' | 'bool' | 'select' | 'list' | 'nullableInt' | 'textarea';

export interface FieldDef {
  path: string;
  kind: FieldKind;
  label: Record<Language, string>;
  help?: Record<Language, string>;
  options?: Array<{ value: string; label: Record<Language, string> }>;
  unit?: string;
  step?: number;
}

export type SectionId = 'twitch' | 'telegram' | 'destinations' | 'vod' | 'split' | 'ordering' | 'paths' | 'app' | 'advanced';

const l = (en: string, it: string) => ({ en, it });
const yesNoAuto = [
  { value: 'auto', label: l('Ask Telegram', 'Chiedi a Telegram') },
  { value: 'yes', label: l('Yes', 'Sì') },
  { value: 'no', label: l('No', 'No') },
];
const levels = ['debug', 'info', 'warn', 'error'].map((v) => ({ value: v, label: l(v, v) }));

export const FIELDS: Record<SectionId, FieldDef[]> = {
  twitch: [
    {
      path: 'twitch.clientId',
      kind: 'text',
      label: l('Client ID', 'Client ID'),
      help: l('The Twitch application Client ID; the secret is set under Accounts.', 'Il Client ID dell’applicazione Twitch; il segreto si imposta in Account.'),
    },
  ],
  telegram: [
    {
      path: 'telegram.apiId',
      kind: 'nullableInt',
      label: l('api_id', 'api_id'),
      help: l('From my.telegram.org > API development tools.', 'Da my.telegram.org > API development tools.'),
    },
    { path: 'telegram.apiHash', kind: 'text', label: l('api_hash', 'api_hash') },
    { path: 'telegram.premium', kind: 'select', label: l('Premium account', 'Account Premium'), options: yesNoAuto },
    {
      path: 'telegram.captionTemplate',
      kind: 'text',
      label: l('Caption', 'Didascalia'),
      help: l(
        'Placeholders: {title} {channel} {date} {time} {part} {parts} {duration} {url} {chapters}',
        'Segnaposto: {title} {channel} {date} {time} {part} {parts} {duration} {url} {chapters}',
      ),
    },
    {
      path: 'telegram.partsWhileLive',
      kind: 'select',
      label: l('{parts} while a broadcast is recorded', '{parts} durante la registrazione di una diretta'),
      help: l('Captions are edited to the total when the broadcast ends.', 'Le didascalie vengono corrette con il totale alla fine della diretta.'),
      options: [
        { value: 'ellipsis', label: l('Part 3/…', 'Parte 3/…') },
        { value: 'omit', label: l('Part 3', 'Parte 3') },
      ],
    },
    { path: 'telegram.indexMessage', kind: 'bool', label: l('Post an index message after a live broadcast', 'Pubblica un messaggio indice dopo una diretta') },
    { path: 'telegram.pinIndex', kind: 'bool', label: l('Pin the index message', 'Fissa il messaggio indice') },
    { path: 'telegram.dateFormat', kind: 'text', label: l('Date format', 'Formato data') },
    { path: 'telegram.timeZone', kind: 'text', label: l('Time zone (empty = this computer’s)', 'Fuso orario (vuoto = quello del computer)') },
    { path: 'telegram.alerts', kind: 'bool', label: l('Send critical alerts to Telegram', 'Invia gli avvisi critici su Telegram') },
    { path: 'telegram.alertDestination', kind: 'text', label: l('Alert destination key (empty = first chat)', 'Destinazione degli avvisi (vuoto = prima chat)') },
  ],
  destinations: [],
  vod: [
    { path: 'vod.autoCheck', kind: 'bool', label: l('Check for new VODs automatically', 'Controlla i nuovi VOD automaticamente') },
    {
      path: 'vod.qualities',
      kind: 'list',
      label: l('Qualities, in order of preference', 'Qualità, in ordine di preferenza'),
      help: l('Comma separated; best = source.', 'Separate da virgola; best = sorgente.'),
    },
    { path: 'vod.liveThumbnailPhrases', kind: 'list', label: l('Thumbnail phrases that mean “still live”', 'Frasi della miniatura che indicano “ancora in diretta”') },
    { path: 'vod.minRetryDelaySec', kind: 'int', label: l('First retry after', 'Primo tentativo dopo'), unit: 's' },
    { path: 'vod.maxRetryDelaySec', kind: 'int', label: l('Longest retry delay', 'Attesa massima tra tentativi'), unit: 's' },
    { path: 'vod.maxRetries', kind: 'int', label: l('Retries before failing', 'Tentativi prima di fallire') },
    { path: 'vod.downloadConcurrency', kind: 'int', label: l('Parallel segment downloads', 'Download di segmenti in parallelo') },
    { path: 'vod.bandwidthCapMBps', kind: 'number', label: l('Bandwidth cap (0 = none)', 'Limite di banda (0 = nessuno)'), unit: 'MB/s', step: 0.5 },
    { path: 'vod.checkIntervalSec', kind: 'int', label: l('Check interval', 'Intervallo di controllo'), unit: 's' },
    { path: 'telegram.postDelaySec', kind: 'number', label: l('Pause between uploads', 'Pausa tra i caricamenti'), unit: 's' },
    { path: 'telegram.uploadConcurrency', kind: 'int', label: l('Parallel upload requests', 'Richieste di caricamento in parallelo') },
  ],
  split: [
    { path: 'split.maxFileSizeMB', kind: 'int', label: l('Largest part', 'Parte più grande'), unit: 'MB' },
    { path: 'split.minFileSizeMB', kind: 'int', label: l('Smallest part', 'Parte più piccola'), unit: 'MB' },
    { path: 'split.mergeThresholdMB', kind: 'int', label: l('Merge a last part below', 'Unisci un’ultima parte sotto'), unit: 'MB' },
    { path: 'split.midTargetRatio', kind: 'number', label: l('Share of the last part when balancing', 'Quota dell’ultima parte nel bilanciamento'), step: 0.05 },
    { path: 'split.dropSegmentThresholdSec', kind: 'number', label: l('Drop a trailing remainder shorter than', 'Scarta un resto finale più corto di'), unit: 's' },
    { path: 'split.maxRetriesSplit', kind: 'int', label: l('Re-cuts allowed per VOD (part over the limit)', 'Nuovi tagli ammessi per VOD (parte oltre il limite)') },
  ],
  ordering: [
    {
      path: 'ordering.field',
      kind: 'select',
      label: l('Process VODs by', 'Elabora i VOD per'),
      options: [
        { value: 'created_at', label: l('Date', 'Data') },
        { value: 'duration', label: l('Duration', 'Durata') },
      ],
    },
    {
      path: 'ordering.order',
      kind: 'select',
      label: l('Order', 'Ordine'),
      options: [
        { value: 'asc', label: l('Oldest / shortest first', 'Prima i più vecchi / corti') },
        { value: 'desc', label: l('Newest / longest first', 'Prima i più recenti / lunghi') },
      ],
    },
  ],
  paths: [
    { path: 'paths.workDir', kind: 'text', label: l('Work folder (empty = app data)', 'Cartella di lavoro (vuoto = dati dell’app)') },
    { path: 'paths.database', kind: 'text', label: l('Database file (empty = app data)', 'File del database (vuoto = dati dell’app)') },
  ],
  app: [
    {
      path: 'app.language',
      kind: 'select',
      label: l('Language', 'Lingua'),
      options: [
        { value: 'auto', label: l('Automatic', 'Automatica') },
        { value: 'en', label: l('English', 'English') },
        { value: 'it', label: l('Italiano', 'Italiano') },
      ],
    },
    {
      path: 'app.theme',
      kind: 'select',
      label: l('Theme', 'Tema'),
      options: [
        { value: 'system', label: l('Like the system', 'Come il sistema') },
        { value: 'light', label: l('Light', 'Chiaro') },
        { value: 'dark', label: l('Dark', 'Scuro') },
      ],
    },
    { path: 'app.notifications', kind: 'bool', label: l('Desktop notifications', 'Notifiche sul desktop') },
    { path: 'app.startAtLogin', kind: 'bool', label: l('Start at login', 'Avvia all’accesso') },
    { path: 'app.startHidden', kind: 'bool', label: l('Start in the tray', 'Avvia nell’area di notifica') },
    { path: 'app.autoUpdate', kind: 'bool', label: l('Check for updates automatically', 'Cerca aggiornamenti automaticamente') },
  ],
  advanced: [
    { path: 'advanced.logLevel', kind: 'select', label: l('Log level', 'Livello di log'), options: levels },
    {
      path: 'advanced.livePollMs',
      kind: 'int',
      label: l('Live playlist poll interval (0 = per target duration)', 'Intervallo di lettura della playlist in diretta (0 = secondo la durata dei segmenti)'),
      unit: 'ms',
    },
    { path: 'advanced.lowDiskGuardMB', kind: 'int', label: l('Pause when free space is below', 'Pausa quando lo spazio libero è sotto'), unit: 'MB' },
    { path: 'advanced.tools.ffmpeg', kind: 'text', label: l('ffmpeg path (empty = bundled)', 'Percorso di ffmpeg (vuoto = incluso)') },
    { path: 'advanced.tools.ffprobe', kind: 'text', label: l('ffprobe path (empty = bundled)', 'Percorso di ffprobe (vuoto = incluso)') },
    { path: 'advanced.tools.ytDlp', kind: 'text', label: l('yt-dlp path (empty = bundled)', 'Percorso di yt-dlp (vuoto = incluso)') },
    { path: 'advanced.twitch.authUrl', kind: 'text', label: l('Twitch OAuth URL', 'URL OAuth di Twitch') },
    { path: 'advanced.twitch.helixUrl', kind: 'text', label: l('Twitch Helix URL', 'URL Helix di Twitch') },
    { path: 'advanced.twitch.gqlUrl', kind: 'text', label: l('Twitch GQL URL', 'URL GQL di Twitch') },
    { path: 'advanced.twitch.usherUrl', kind: 'text', label: l('Twitch usher URL', 'URL usher di Twitch') },
    { path: 'advanced.twitch.vodPageUrl', kind: 'text', label: l('Twitch VOD page URL', 'URL pagina VOD di Twitch') },
  ],
};

export const SECTION_ORDER: SectionId[] = ['twitch', 'telegram', 'destinations', 'vod', 'split', 'ordering', 'paths', 'app', 'advanced'];

/**
 * Settings by intent (issue 13 item 5): what most people set (Basics), when and how hard the app
 * works (Schedule and limits), and the legacy tool's knobs, paths, endpoints and test servers
 * (Advanced). The part size has its own preset control in Basics.
 */
export type SettingsView = 'basics' | 'schedule' | 'advanced';
export const VIEWS: Record<SettingsView, SectionId[]> = {
  basics: ['twitch', 'destinations', 'telegram', 'app'],
  schedule: ['vod', 'ordering'],
  advanced: ['split', 'paths', 'advanced'],
};
/** Shown by the part size presets in Basics instead of in its section. */
export const PRESET_FIELDS = new Set(['split.maxFileSizeMB', 'telegram.premium']);

/** Telegram's limits (core.telegram.org/api/files: at most 4000 parts of 512 KiB = 2000 MiB, 8000 with Premium = 4000 MiB) in the setting's 1,000,000-byte MB. */
export const MIB_PER_MB = 1_000_000 / (1024 * 1024);
export const PART_PRESETS = [
  { id: 'telegram', mib: 2000, mb: Math.floor((2000 * 1024 * 1024) / 1_000_000) },
  { id: 'premium', mib: 4000, mb: Math.floor((4000 * 1024 * 1024) / 1_000_000) },
] as const;

/** Text shown in a control for a stored value. */
export function toControl(kind: FieldKind, value: unknown): string | boolean {
  if (kind === 'bool') return Boolean(value);
  if (kind === 'list') return Array.isArray(value) ? value.join(', ') : '';
  if (value == null) return '';
  return String(value);
}

/**
 * The value a control's text stands for. Numbers that do not parse stay as text so the schema
 * reports them ("expected number") instead of the form silently dropping the edit.
 */
export function fromControl(kind: FieldKind, raw: string | boolean): unknown {
  if (kind === 'bool') return Boolean(raw);
  const text = String(raw);
  if (kind === 'list')
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (kind === 'number' || kind === 'int' || kind === 'nullableInt') {
    if (text.trim() === '') return kind === 'nullableInt' ? null : text;
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}
