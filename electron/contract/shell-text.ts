/**
 * Words shared by the window and the desktop shell (tray menu and tooltip, notifications, the
 * quit question), in every UI language. The renderer's dictionary includes this table, so the
 * header and the tray say the same thing; main translates with `shellText`.
 */
const en = {
  'status.idle': 'Idle',
  'status.working': 'Working',
  'status.recording': 'Recording',
  'status.paused': 'Paused',
  'status.retrying': 'Retrying {time}',
  'status.retryingSoon': 'Retrying soon',
  'status.attention': 'Needs attention',
  'status.reason.setupNeeded': 'Setup needed',
  'status.reason.loginNeeded': 'Log in needed',
  'status.reason.diskLow': 'Disk almost full',
  'status.reason.vodFailed': '{count} VOD(s) failed',
  'status.reason.channelProblem': 'Channel check failed',
  'status.reason.held': 'Queue on hold',
  'status.progress': '{percent} done',
  'tray.open': 'Open',
  'tray.pause': 'Pause',
  'tray.resume': 'Resume',
  'tray.checkNow': 'Check now',
  'tray.retryFailed': 'Retry failed VODs',
  'tray.lastBackup': 'Last backup: {time}',
  'tray.noBackupYet': 'No backup yet',
  'tray.openWorkFolder': 'Open work folder',
  'tray.quit': 'Quit',
  'quit.title': 'Quit while backing up?',
  'quit.body': 'An upload is running. It resumes where it stopped the next time the app starts.',
  'quit.confirm': 'Quit',
  'quit.cancel': 'Keep running',
  'notice.vodCompleted': 'VOD backed up',
  'notice.vodFailed': 'VOD failed',
  'notice.loginNeeded': 'Log in needed',
  'notice.lowDisk': 'Disk almost full',
  'notice.engineError': 'Backup engine error',
  'notice.engineRestarted': 'Backup engine restarted',
  'notice.closedToTray': 'Still running',
  'notice.channelProblem': 'A channel cannot be checked',
  'notice.closedToTrayBody': 'Twitch VOD Backup keeps backing up from the tray. Use Quit in the tray menu to stop it.',
  'notice.openVod': 'Open the VOD',
} as const;

export type ShellKey = keyof typeof en;
type ShellDictionary = Record<ShellKey, string>;

const it: ShellDictionary = {
  'status.idle': 'Inattivo',
  'status.working': 'Al lavoro',
  'status.recording': 'In registrazione',
  'status.paused': 'In pausa',
  'status.retrying': 'Nuovo tentativo {time}',
  'status.retryingSoon': 'Nuovo tentativo a breve',
  'status.attention': 'Serve attenzione',
  'status.reason.setupNeeded': 'Configurazione necessaria',
  'status.reason.loginNeeded': 'Accesso necessario',
  'status.reason.diskLow': 'Disco quasi pieno',
  'status.reason.vodFailed': '{count} VOD non riusciti',
  'status.reason.channelProblem': 'Controllo dei canali non riuscito',
  'status.reason.held': 'Coda sospesa',
  'status.progress': '{percent} fatto',
  'tray.open': 'Apri',
  'tray.pause': 'Pausa',
  'tray.resume': 'Riprendi',
  'tray.checkNow': 'Controlla ora',
  'tray.retryFailed': 'Riprova i VOD non riusciti',
  'tray.lastBackup': 'Ultimo backup: {time}',
  'tray.noBackupYet': 'Ancora nessun backup',
  'tray.openWorkFolder': 'Apri la cartella di lavoro',
  'tray.quit': 'Esci',
  'quit.title': 'Uscire durante il backup?',
  'quit.body': 'Un caricamento è in corso. Riprenderà da dove si è fermato al prossimo avvio.',
  'quit.confirm': 'Esci',
  'quit.cancel': 'Continua',
  'notice.vodCompleted': 'VOD salvato',
  'notice.vodFailed': 'VOD non riuscito',
  'notice.loginNeeded': 'Accesso necessario',
  'notice.lowDisk': 'Disco quasi pieno',
  'notice.engineError': 'Errore del motore di backup',
  'notice.engineRestarted': 'Motore di backup riavviato',
  'notice.closedToTray': 'Ancora in esecuzione',
  'notice.channelProblem': 'Un canale non può essere controllato',
  'notice.closedToTrayBody': 'Twitch VOD Backup continua il backup dall’area di notifica. Usa Esci nel menu dell’icona per fermarlo.',
  'notice.openVod': 'Apri il VOD',
};

export const SHELL_TEXT = { en, it } as const;
export type ShellLanguage = keyof typeof SHELL_TEXT;

export function shellLanguage(setting: string | undefined, systemLocale: string | undefined): ShellLanguage {
  if (setting === 'en' || setting === 'it') return setting;
  return systemLocale?.toLowerCase().startsWith('it') ? 'it' : 'en';
}

export function shellText(lang: ShellLanguage, key: ShellKey, params?: Record<string, string | number>): string {
  const text = SHELL_TEXT[lang][key] ?? en[key];
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}
