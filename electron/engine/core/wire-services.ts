import { Scheduler } from '../pipeline/scheduler';
import type { Engine } from './engine';
import type { Services } from './services';
import { TelegramService } from './telegram-service';
import { TwitchService } from './twitch-service';

/**
 * Plugs the Twitch, Telegram and queue services into the engine and keeps them in step with the
 * settings. Returns a function that stops them (the current step's database write finishes; the
 * work resumes at the next start).
 */
export async function wireServices(engine: Engine, services: Services): Promise<() => Promise<void>> {
  const twitch = new TwitchService(engine);
  const telegram = new TelegramService(engine);
  const scheduler = new Scheduler(engine, twitch, telegram);
  services.twitch = twitch;
  services.telegram = telegram;
  services.queue = scheduler;
  const off = engine.onSettingsChanged(() => scheduler.settingsChanged());
  scheduler.start();
  return async () => {
    off();
    await scheduler.stop();
    await telegram.close();
  };
}
