import Store from 'electron-store';
import type { Bounds } from './window';

/** Where the window was, kept apart from the settings (it is not a setting); see `fitBounds`. */
export function createBoundsStore(cwd?: string): { get(): Partial<Bounds> | undefined; set(b: Bounds): void } {
  const store = new Store<{ bounds?: Bounds }>({ name: 'window', cwd });
  return { get: () => store.get('bounds'), set: (b) => store.set('bounds', b) };
}
