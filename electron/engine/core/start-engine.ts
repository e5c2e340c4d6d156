import type { EnginePaths } from '../../contract/host';
import type { Secrets, Settings } from '../../contract/settings';
import { Scheduler } from '../pipeline/scheduler';
import { appToolSearch, resolveTools, type Tools } from '../util/binaries';
import { createLogger } from '../util/log';
import { createDispatcher } from './dispatch';
import { Engine, type EngineHost } from './engine';
import { createHandlers } from './requests';
import { TelegramService } from './telegram-service';
import { TwitchService } from './twitch-service';

const log = createLogger('engine');

export interface RunningEngine {
  engine: Engine;
  dispatch: ReturnType<typeof createDispatcher>;
  /** Finishes the current step's database write, stops the work (resumable), closes the database. */
  stop(): Promise<void>;
}

/**
 * The composition root: the same code in the utility process, headless mode and tests. Built in
 * order, each part handed what it needs: state and store, tools, the Twitch and Telegram
 * services, the scheduler, the request handlers and the dispatcher. Nothing is filled in later.
 */
export async function startEngine(options: { paths: EnginePaths; host: EngineHost; settings: Settings; secrets: Secrets }): Promise<RunningEngine> {
  const engine = new Engine(options);
  engine.open();
  const resolve = () => resolveTools(appToolSearch(engine.settings.advanced.tools, engine.paths.resourcesDir));
  let tools: Tools = resolve();
  const twitch = new TwitchService(engine);
  const telegram = new TelegramService(engine);
  const scheduler = new Scheduler(engine, twitch, telegram, { current: () => tools });
  const dispatch = createDispatcher(createHandlers(engine, { queue: scheduler, telegram, twitch }));
  const off = engine.onSettingsChanged(() => {
    tools = resolve();
    scheduler.settingsChanged();
  });
  scheduler.start();
  let stopped = false;
  log.info('engine started');
  return {
    engine,
    dispatch,
    async stop() {
      if (stopped) return;
      stopped = true;
      off();
      await scheduler.stop();
      await telegram.close();
      engine.close();
      log.info('engine stopped');
    },
  };
}
