/**
 * `npm run headless -- --config FILE`: the engine with no Electron at all (servers, NAS boxes).
 *
 * Exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 1 crashed, 2 configuration problem (the message
 * names every field at fault).
 */
import { existsSync, watch } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblems, readinessProblems, secretsPresence, type Secrets } from '../../contract/settings';
import { startEngine, type RunningEngine } from '../core/start-engine';
import { ConfigError, loadConfigFile, writeSecretsFile, type LoadedConfig } from '../settings/config-file';
import { writeFileAtomic } from '../settings/files';
import { importLegacyDatabase } from '../store/legacy-db';
import { getMeta, setMeta } from '../store/meta';
import { configureConsole, createLogger } from '../util/log';
import { createProgressPrinter } from './headless-progress';
import { startUiServer } from './ws-server';

const USAGE = `usage: npm run headless -- --config FILE [options]

  --config FILE      settings file (this app's format or the legacy config.json)
  --secrets FILE     secrets file, mode 0600 (default: secrets.json beside the config)
  --data DIR         data folder: database, work folder, logs (default: beside the config)
  --ui               also serve the UI on http://127.0.0.1 (browser mode, token in the URL)
  --port N           port for --ui (default: random)
  --quiet            no progress output
  --help`;

const log = createLogger('headless');

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        secrets: { type: 'string' },
        data: { type: 'string' },
        ui: { type: 'boolean', default: false },
        port: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.config) {
    process.stderr.write(`--config is required.\n${USAGE}\n`);
    return 2;
  }

  let config: LoadedConfig;
  try {
    config = loadConfigFile(args.config, { secretsFile: args.secrets });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n${formatProblems(error.problems)}\n`);
      return 2;
    }
    throw error;
  }
  for (const { key, reason } of config.unmapped) process.stderr.write(`note: legacy key ${key} was not imported: ${reason}\n`);
  for (const note of config.notes) process.stderr.write(`note: ${note}\n`);
  const missing = readinessProblems(config.settings, secretsPresence(config.secrets));
  if (missing.length > 0) {
    process.stderr.write(
      `The configuration in ${config.path} is incomplete:\n${formatProblems(missing)}\n` +
        `Secrets go in ${config.secretsFile} (mode 0600) or the TVB_* environment variables, never in the settings file.\n`,
    );
    return 2;
  }

  const dataDir = resolve(args.data ?? dirname(config.path));
  // On a terminal stdout carries the redrawn progress block: only warnings and errors go beside it.
  if (!args.quiet) configureConsole(process.stderr.isTTY ? 'warn' : 'info');
  let secrets: Secrets = config.secrets;
  const settingsTarget = config.format === 'legacy' ? join(dirname(config.path), 'settings.json') : config.path;
  const progress = args.quiet ? null : createProgressPrinter(process.stdout);

  const running: RunningEngine = await startEngine({
    paths: { dataDir, logFile: join(dataDir, 'logs', 'engine.log'), resourcesDir: '' },
    settings: config.settings,
    secrets,
    host: {
      persistSecrets: (patch, remove) => {
        secrets = writeSecretsFile(config.secretsFile, secrets, patch, remove);
      },
      persistSettings: (settings) => {
        // A legacy config.json is never overwritten: the new format goes beside it.
        writeFileAtomic(settingsTarget, `${JSON.stringify(settings, null, 2)}\n`);
        if (settingsTarget !== config.path) log.warn(`settings saved to ${settingsTarget}; start with --config ${settingsTarget} from now on`);
      },
      notice: (n) => log.info(`${n.title}: ${n.body}`),
      status: (status, summary) => progress?.status(status, summary),
    },
  });
  if (progress) running.engine.bus.subscribe((event, data) => progress.event(event, data));

  if (config.legacyDatabase) importLegacyOnce(running, config.legacyDatabase);

  const stopWatching = watchConfig(config, running);
  let ui: Awaited<ReturnType<typeof startUiServer>> | undefined;
  if (args.ui) {
    const staticDir = resolve(dirname(new URL(import.meta.url).pathname), '../../../dist/renderer');
    if (!existsSync(join(staticDir, 'index.html'))) log.warn(`the UI is not built (${staticDir}): run "npx vite build" once, then reload the page`);
    ui = await startUiServer({ bus: running.engine.bus, dispatch: running.dispatch, port: args.port ? Number(args.port) : undefined, staticDir });
    process.stdout.write(`UI: ${ui.url}\n`);
  }

  return new Promise<number>((resolveExit) => {
    const shutdown = async (signal: string) => {
      log.info(`${signal}: finishing the current step and stopping`);
      stopWatching();
      await ui?.close();
      await running.stop();
      progress?.close();
      resolveExit(0);
    };
    process.once('SIGINT', () => void shutdown('SIGINT'));
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
  });
}

/** The legacy vods.db named by DATABASE_NAME is imported once (statuses kept: nothing is re-posted). */
function importLegacyOnce(running: RunningEngine, path: string): void {
  const db = running.engine.db;
  const done = getMeta(db, `legacy-import:${path}`);
  if (done) return;
  const channel = running.engine.settings.twitch.channels[0]?.channel;
  const summary = importLegacyDatabase(db, path, { apply: true, channelId: channel && /^\d+$/.test(channel) ? channel : undefined });
  setMeta(db, `legacy-import:${path}`, new Date().toISOString());
  log.info(`imported legacy database ${path}: ${summary.vods} VODs (${JSON.stringify(summary.byStatus)}), ${summary.alreadyKnown} already known`);
}

/** Hot reload: an edit applies at the next step; an invalid edit is rejected and the last good settings stay. */
function watchConfig(config: LoadedConfig, running: RunningEngine): () => void {
  let timer: NodeJS.Timeout | undefined;
  // Editors often replace the file (rename), so watch the folder and filter by name.
  const watcher = watch(dirname(config.path), (_event, file) => {
    if (file !== basename(config.path) && file !== basename(config.secretsFile)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      try {
        const next = loadConfigFile(config.path, { secretsFile: config.secretsFile });
        const result = running.engine.updateSettings(next.settings, { persist: false });
        if (!result.ok) throw new ConfigError('Invalid settings:', result.problems);
        running.engine.replaceSecrets(next.secrets);
        log.info(`settings reloaded from ${config.path}`);
      } catch (error) {
        const problems = error instanceof ConfigError ? `\n${formatProblems(error.problems)}` : '';
        log.error(`settings change rejected, the previous settings stay in force: ${(error as Error).message}${problems}`);
      }
    }, 300);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

const isEntry = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`fatal: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
