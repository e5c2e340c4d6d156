import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Notice } from '../../electron/contract/protocol';
import { defaultSettings, type Secrets, type Settings } from '../../electron/contract/settings';
import type { EngineHost } from '../../electron/engine/core/engine';
import { startEngine, type RunningEngine } from '../../electron/engine/core/start-engine';
import { startUiServer, type UiServer } from '../../electron/engine/host/ws-server';

/**
 * End-to-end harness: the renderer built by Vite, a real engine in this process with its
 * loopback UI server, and Debian's Chromium driven by playwright-core (never a downloaded browser).
 */
export const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'test-results', 'e2e');

export async function buildRenderer(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

export interface RecordingHost extends EngineHost {
  persistedSettings: Settings[];
  persistedSecrets: Array<{ patch: Partial<Secrets>; remove: string[] }>;
  notices: Notice[];
}

export function recordingHost(): RecordingHost {
  const host: RecordingHost = {
    persistedSettings: [],
    persistedSecrets: [],
    notices: [],
    persistSettings: (s) => void host.persistedSettings.push(s),
    persistSecrets: (patch, remove) => void host.persistedSecrets.push({ patch, remove: remove.map(String) }),
    notice: (n) => void host.notices.push(n),
    status: () => {},
  };
  return host;
}

export interface E2eWorld {
  dir: string;
  staticDir: string;
  running: RunningEngine;
  host: RecordingHost;
  server: UiServer;
  browser: Browser;
  page: Page;
  /** Browser console errors and page errors seen so far (a test can assert there were none). */
  pageErrors: string[];
  /** The same without Chromium's "Failed to load resource" lines (its own /favicon.ico request is one). */
  scriptErrors(): string[];
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Builds the renderer, starts an engine with these settings, serves the UI and opens it. */
export async function startWorld(options: {
  settings?: Settings;
  secrets?: Secrets;
  colorScheme?: 'light' | 'dark';
  locale?: string;
  /** Prebuilt renderer to reuse (else built into the world's temp dir). */
  staticDir?: string;
  /** Called after the engine persisted settings (what main's `persist.settings` handler sees). */
  onPersistSettings?: (settings: Settings) => void;
}): Promise<E2eWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'tvb-e2e-'));
  const staticDir = options.staticDir ?? join(dir, 'renderer');
  if (!options.staticDir) await buildRenderer(staticDir);
  const host = recordingHost();
  if (options.onPersistSettings) {
    const record = host.persistSettings;
    const after = options.onPersistSettings;
    host.persistSettings = (next) => (record(next), after(next));
  }
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const running = await startEngine({
    paths: { dataDir, logFile: '', resourcesDir: '' },
    host,
    settings: options.settings ?? defaultSettings(),
    secrets: options.secrets ?? {},
  });
  const server = await startUiServer({ bus: running.engine.bus, dispatch: running.dispatch, staticDir });
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
  });
  const page = await context.newPage();
  // Fail fast with the locator in the message rather than at the test timeout.
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  await page.goto(server.url);
  return {
    dir,
    staticDir,
    running,
    host,
    server,
    browser,
    page,
    pageErrors,
    scriptErrors: () => pageErrors.filter((e) => !e.startsWith('Failed to load resource')),
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // Sticky bars would be drawn where the page happens to be scrolled.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** expect.poll with room for a loaded machine (vitest's default gives up after 1 s). */
export function eventually<T>(fn: () => T | Promise<T>) {
  return expect.poll(fn, { timeout: 20_000, interval: 100 });
}

/** axe-core's violations on the page as it is, one line each (rule, element, why). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: join(ROOT, 'node_modules/axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: { run: (ctx: Document, o: object) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[]; failureSummary: string }> }> }> };
      }
    ).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join(' | ')}`);
  });
}
