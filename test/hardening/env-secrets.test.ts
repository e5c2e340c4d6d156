import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, type Secrets } from '../../electron/contract/settings';
import { Engine } from '../../electron/engine/core/engine';
import { createSecretsStore, loadConfigFile, SECRET_ENV } from '../../electron/engine/settings/config-file';

/**
 * Headless secrets: TVB_* variables are used but never written; secrets.json keeps only what came
 * from files or from the engine itself (a login, a refresh). The engine's own `updateSecrets` (what
 * login and token refresh call) goes through the same sink headless.ts gives it.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-envsec-'));
  writeFileSync(join(dir, 'settings.json'), '{}');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const secretsFile = () => join(dir, 'secrets.json');
const fileContent = () => JSON.parse(readFileSync(secretsFile(), 'utf8')) as Secrets;

function engineWith(env: NodeJS.ProcessEnv) {
  const config = loadConfigFile(join(dir, 'settings.json'), { env });
  const store = createSecretsStore(config);
  const engine = new Engine({
    paths: { dataDir: dir, logFile: '', resourcesDir: '' },
    settings: defaultSettings(),
    secrets: config.secrets,
    host: { persistSecrets: (patch, remove) => store.persist(patch, remove as string[]), persistSettings: () => {}, notice: () => {}, status: () => {} },
  });
  return { config, engine };
}

describe('secrets from the environment are never persisted', () => {
  for (const [name, variable] of Object.entries(SECRET_ENV) as Array<[keyof Secrets, string]>) {
    it(`${variable}: used, not written when the engine saves secrets, nor when it re-saves the same value`, () => {
      const value = `from-env-${name}-0123456789`;
      const other: keyof Secrets = name === 'telegramSession' ? 'twitchClientSecret' : 'telegramSession';
      writeFileSync(secretsFile(), JSON.stringify({ [other]: 'from-file-value-1234' }), { mode: 0o600 });
      const { config, engine } = engineWith({ [variable]: value });
      expect(engine.secrets[name]).toBe(value);
      expect(config.fileSecrets[name]).toBeUndefined();

      // A login elsewhere saves another secret: the file gets it, and still not the variable's value.
      engine.updateSecrets({ telegramBotToken: name === 'telegramBotToken' ? value : '123:login-result-abcdef' });
      // The engine saving back the value it was started with (e.g. the session after connecting).
      engine.updateSecrets({ [name]: value });
      const written = readFileSync(secretsFile(), 'utf8');
      expect(written).not.toContain(value);
      expect(fileContent()[other]).toBe('from-file-value-1234');
      expect(engine.secrets[name]).toBe(value);

      // A value the engine obtained itself (a refresh, a new login) came from the service: it is kept.
      engine.updateSecrets({ [name]: `refreshed-${name}-9876543210` });
      expect(fileContent()[name]).toBe(`refreshed-${name}-9876543210`);
      expect(readFileSync(secretsFile(), 'utf8')).not.toContain(value);
    });
  }

  it('without variables, what came from the file is kept on every write', () => {
    writeFileSync(secretsFile(), JSON.stringify({ twitchClientSecret: 'file-secret-abcdef' }), { mode: 0o600 });
    const { engine } = engineWith({});
    engine.updateSecrets({ twitchUserToken: 'user-token-abcdef' });
    expect(fileContent()).toEqual({ twitchClientSecret: 'file-secret-abcdef', twitchUserToken: 'user-token-abcdef' });
    engine.updateSecrets({}, ['twitchUserToken']);
    expect(fileContent()).toEqual({ twitchClientSecret: 'file-secret-abcdef' });
  });
});
