import { describe, expect, it } from 'vitest';
import { SHELL_TEXT } from '../../electron/contract/shell-text';
import { DICTIONARIES } from '../src/lib/i18n';

/** Issue 13 item 7: no text exists in one language only (the window's and the shell's tables). */
describe('every text exists in every language', () => {
  const tables = { renderer: DICTIONARIES, shell: SHELL_TEXT } as const;
  for (const [name, table] of Object.entries(tables)) {
    it(`${name}: Italian and English have the same keys and placeholders`, () => {
      const en = table.en as Record<string, string>;
      const itd = table.it as Record<string, string>;
      expect(
        Object.keys(itd).filter((k) => !(k in en)),
        'only in Italian',
      ).toEqual([]);
      expect(
        Object.keys(en).filter((k) => !(k in itd)),
        'only in English',
      ).toEqual([]);
      const holes = (t: string) => (t.match(/\{\w+\}/g) ?? []).sort().join(',');
      for (const key of Object.keys(en)) {
        expect(holes(itd[key]), key).toBe(holes(en[key]));
        expect(itd[key].trim(), key).not.toBe('');
      }
    });
  }
});
