/**
 * `npm run headless -- --config FILE`: the engine with no Electron at all (servers, NAS boxes).
 *
 * Exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 1 crashed (restart it: see README), 2
 * configuration problem (the message names every field or file at fault: settings, secrets, a
 * refused/locked/read-only database, an unwritable data or work folder, the legacy database).
 */
import { existsSync, watch } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblems, readinessProblems, secretsPresence } from '../../contract/settings';
import { startEngine, type RunningEngine } from '../core/start-engine';
import { ConfigError, createSecretsStore, loadConfigFile, type LoadedConfig } from '../settings/config-file';
import { folderProblem, writeFileAtomic } from '../settings/files';
import { openDatabase, type Db } from '../store/database';
import { importLegacyDatabase } from '../store/legacy-db';
import { databasePathFor, workDirFor } from '../settings/paths';
import { EngineError } from '../util/errors';
import { getMeta, setMeta } from '../store/meta';
import { configureConsole, createLogger } from '../util/log';
import { createProgressPrinter } from './headless-progress';
import { installProcessPolicy } from './process-policy';
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

type CliArgs = { config: string; secrets?: string; data?: string; ui: boolean; port?: string; quiet: boolean };

/** The command line, or the exit code when it asks for help or is wrong. */
function parseCli(argv: string[]): CliArgs | number {
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
  return { ...args, config: args.config, ui: Boolean(args.ui), quiet: Boolean(args.quiet) };
}

/** The settings file read and checked for what a run needs, or exit code 2 with every problem named. */
function loadReadyConfig(args: CliArgs): LoadedConfig | number {
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
  return config;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  if (typeof args === 'number') return args;
  const config = loadReadyConfig(args);
  if (typeof config === 'number') return config;
  const dataDir = resolve(args.data ?? dirname(config.path));
  // On a terminal stdout carries the redrawn progress block: only warnings and errors go beside it.
  if (!args.quiet) configureConsole(process.stderr.isTTY ? 'warn' : 'info');
  // Writes start from what came from files, so TVB_* values never reach secrets.json.
  const secretsStore = createSecretsStore(config);
  const progress = args.quiet ? null : createProgressPrinter(process.stdout);

  const problem = preflight(config, dataDir);
  if (problem) return configProblem(problem);
  const running = await launch(config, dataDir, secretsStore, progress);
  if (typeof running === 'number') return running;
  current = running;
  if (progress) running.engine.bus.subscribe((event, data) => progress.event(event, data));

  const stopWatching = watchConfig(config, running, secretsStore);
  let ui: Awaited<ReturnType<typeof startUiServer>> | undefined;
  if (args.ui) {
    const served = await serveUi(running, args.port);
    if (typeof served === 'string') {
      stopWatching();
      await running.stop();
      return configProblem(served);
    }
    ui = served;
    process.stdout.write(`UI: ${served.url}\n`);
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

async function launch(
  config: LoadedConfig,
  dataDir: string,
  secretsStore: ReturnType<typeof createSecretsStore>,
  progress: ReturnType<typeof createProgressPrinter> | null,
): Promise<RunningEngine | number> {
  const settingsTarget = config.format === 'legacy' ? join(dirname(config.path), 'settings.json') : config.path;
  try {
    return await startEngine({
      paths: { dataDir, logFile: join(dataDir, 'logs', 'engine.log'), resourcesDir: '' },
      settings: config.settings,
      secrets: config.secrets,
      host: {
        persistSecrets: (patch, remove) => secretsStore.persist(patch, remove),
        persistSettings: (settings) => {
          // A legacy config.json is never overwritten: the new format goes beside it.
          writeFileAtomic(settingsTarget, `${JSON.stringify(settings, null, 2)}\n`);
          if (settingsTarget !== config.path) log.warn(`settings saved to ${settingsTarget}; start with --config ${settingsTarget} from now on`);
        },
        notice: (n) => log.info(`${n.title}: ${n.body}`),
        status: (status, summary) => progress?.status(status, summary),
      },
    });
  } catch (error) {
    // Checked before; the file can still change in between (another program locks it).
    if (error instanceof EngineError && error.code.startsWith('db_')) return configProblem(`paths.database: ${error.message}`);
    throw error;
  }
}

/** Browser mode (--ui); a port that cannot be used is a configuration problem (returned as its message). */
async function serveUi(running: RunningEngine, port: string | undefined): Promise<Awaited<ReturnType<typeof startUiServer>> | string> {
  const staticDir = resolve(dirname(new URL(import.meta.url).pathname), '../../../dist/renderer');
  if (!existsSync(join(staticDir, 'index.html'))) log.warn(`the UI is not built (${staticDir}): run "npx vite build" once, then reload the page`);
  try {
    return await startUiServer({ bus: running.engine.bus, dispatch: running.dispatch, port: port ? Number(port) : undefined, staticDir });
  } catch (error) {
    return `--port: the UI server cannot listen on 127.0.0.1:${port ?? 0}: ${(error as Error).message}`;
  }
}

/** Exit 2: a configuration problem, said once with the field or file at fault. */
function configProblem(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

/**
 * Configuration problems found before the engine starts: the data and work folders must be
 * writable, the database must open, and the legacy database (DATABASE_NAME) is imported now, before
 * the queue can discover the same VODs from Twitch and queue them again.
 */
function preflight(config: LoadedConfig, dataDir: string): string | null {
  const data = folderProblem(dataDir);
  if (data) return `--data: ${data}`;
  const work = folderProblem(workDirFor(config.settings, dataDir));
  if (work) return `paths.workDir: ${work}`;
  let db: Db;
  try {
    db = openDatabase(databasePathFor(config.settings, dataDir));
  } catch (error) {
    // A refused, locked or unwritable database is the configuration's problem.
    if (error instanceof EngineError) return `paths.database: ${error.message}`;
    throw error;
  }
  try {
    if (config.legacyDatabase) importLegacyOnce(db, config, config.legacyDatabase);
    return null;
  } catch (error) {
    if (error instanceof EngineError) return `DATABASE_NAME in ${config.path}: ${error.message}`;
    throw error;
  } finally {
    db.close();
  }
}

/** The legacy vods.db named by DATABASE_NAME is imported once (statuses kept: nothing is re-posted). */
function importLegacyOnce(db: Db, config: LoadedConfig, path: string): void {
  const done = getMeta(db, `legacy-import:${path}`);
  if (done) return;
  const channel = config.settings.twitch.channels[0]?.channel;
  const summary = importLegacyDatabase(db, path, { apply: true, channelId: channel && /^\d+$/.test(channel) ? channel : undefined });
  setMeta(db, `legacy-import:${path}`, new Date().toISOString());
  log.info(`imported legacy database ${path}: ${summary.vods} VODs (${JSON.stringify(summary.byStatus)}), ${summary.alreadyKnown} already known`);
}

/** Hot reload: an edit applies at the next step; an invalid edit is rejected and the last good settings stay. */
function watchConfig(config: LoadedConfig, running: RunningEngine, secretsStore: ReturnType<typeof createSecretsStore>): () => void {
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
        secretsStore.reloaded(next);
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

/** The engine this process runs, for the crash policy. */
let current: RunningEngine | undefined;

const isEntry = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isEntry) {
  // A bug nothing caught: logged with its stack, its VODs recorded as failed-transient, exit 1 for
  // the service manager to restart (README: "Running headless as a service").
  installProcessPolicy({
    db: () => current?.engine.db,
    retry: () => ({ minRetryDelaySec: current?.engine.settings.vod.minRetryDelaySec ?? 300, maxRetries: current?.engine.settings.vod.maxRetries ?? 5 }),
    exit: (code) => process.exit(code),
  });
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`fatal: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
