import { getContext, setContext } from 'svelte';
import type { AppState } from './state.svelte';

/** The app state is handed to every component through Svelte's context (one per window). */
const KEY = Symbol('app-state');

export function provideApp(app: AppState): void {
  setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() called outside <App>');
  return app;
}
