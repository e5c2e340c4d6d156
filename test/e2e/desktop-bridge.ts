import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './harness';
import { dispatchAppCall, type AppHandlers } from '../../electron/main/ipc';

/**
 * Desktop mode in Chromium: the page gets the preload's `window.api` (desktop-bridge-entry.ts)
 * with the engine behind the loopback server and `app.*` answered by `handlers` through main's
 * own call validation (`dispatchAppCall`). Returns how to send the shell's UI events.
 */
export interface DesktopBridge {
  /** What main's `sendAppEvent` does: one app event to the page. */
  sendAppEvent(event: unknown): Promise<void>;
}

let bundled: string | undefined;
async function bridgeScript(): Promise<string> {
  if (bundled) return bundled;
  const { build } = await import('vite');
  const out = await build({
    configFile: false,
    logLevel: 'error',
    build: { write: false, minify: false, lib: { entry: join(ROOT, 'test/e2e/desktop-bridge-entry.ts'), formats: ['iife'], name: 'tvbDesktopBridge' } },
  });
  const first = (Array.isArray(out) ? out[0] : out) as { output: Array<{ type: string; code?: string }> };
  bundled = first.output.find((o) => o.type === 'chunk')?.code ?? '';
  if (!bundled) throw new Error('The desktop bridge did not bundle');
  return bundled;
}

/** Call before the page loads the app (then `page.goto` / `page.reload`). */
export async function installDesktopBridge(page: Page, handlers: AppHandlers): Promise<DesktopBridge> {
  await page.exposeFunction('__tvbShellInvoke', (call: unknown) => dispatchAppCall(call, handlers));
  await page.addInitScript({ content: await bridgeScript() });
  return {
    async sendAppEvent(event) {
      await page.evaluate((e) => (window as unknown as { __tvbShellEvent(d: unknown): void }).__tvbShellEvent(e), event);
    },
  };
}
