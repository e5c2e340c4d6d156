import type { EnginePaths } from '../../contract/host';
import type { Secrets, Settings } from '../../contract/settings';
import { createDispatcher } from '../host/dispatch';
import { createLogger } from '../util/log';
import { Engine, type EngineHost } from './engine';
import { createHandlers } from './requests';
import type { Services } from './services';
import { wireServices } from './wire-services';

const log = createLogger('engine');

export interface RunningEngine {
  engine: Engine;
  dispatch: ReturnType<typeof createDispatcher>;
  /** Finishes the current step's database write, stops the work (resumable), closes the database. */
  stop(): Promise<void>;
}

/** Builds and starts an engine: the same code in the utility process, headless mode and tests. */
export async function startEngine(options: { paths: EnginePaths; host: EngineHost; settings: Settings; secrets: Secrets }): Promise<RunningEngine> {
  const engine = new Engine(options);
  engine.open();
  const services: Services = {};
  const unwire = await wireServices(engine, services);
  const dispatch = createDispatcher(createHandlers(engine, services));
  let stopped = false;
  log.info('engine started');
  return {
    engine,
    dispatch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await unwire();
      engine.close();
      log.info('engine stopped');
    },
  };
}
