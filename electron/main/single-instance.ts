import { app } from 'electron';

/**
 * One app per user: a second launch hands its arguments to the first (which shows its window) and
 * quits. Returns false in the second instance, which must stop starting up.
 */
export function claimSingleInstance(onSecondLaunch: (argv: string[]) => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', (_event, argv) => onSecondLaunch(argv));
  return true;
}
