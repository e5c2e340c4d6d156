/**
 * Secrets must never reach a log line or an error message. The engine registers every secret it
 * holds (tokens, client secret, session string, phone, codes, password) and every log line passes
 * through `redact`, which replaces known values and anything shaped like a credential.
 */
const known = new Set<string>();

export function registerSecret(value: string | undefined | null): void {
  if (!value) return;
  const trimmed = value.trim();
  // Very short values (a 5-digit login code) are still secret, but replacing every "12345" in a
  // log would be noise; codes are never logged in the first place, so 4+ characters is the floor.
  if (trimmed.length >= 4) known.add(trimmed);
  // A phone is also written without the plus sign or with spaces.
  const digits = trimmed.replace(/[\s()+-]/g, '');
  if (/^\d{7,15}$/.test(digits)) known.add(digits);
}

const patterns: Array<[RegExp, string]> = [
  [/(authorization:\s*(?:bearer|oauth)\s+)[^\s"',]+/gi, '$1[redacted]'],
  // Query strings: ?token=…&sig=… (usher URLs), OAuth form bodies.
  [/([?&](?:access_token|refresh_token|client_secret|token|sig|password|code|session|api_hash)=)[^&\s"']+/gi, '$1[redacted]'],
  // JSON: "access_token":"…" and the like (token responses, serialised details).
  [/("(?:access_token|refresh_token|client_secret|token|sig|password|session|api_hash|apiHash|phone|code|phone_code_hash)"\s*:\s*")[^"]*/gi, '$1[redacted]'],
  // A GramJS StringSession is a long base64 string starting with "1".
  [/\b1[A-Za-z0-9+/=_-]{200,}/g, '[redacted-session]'],
  // Phone numbers in international form.
  [/\+\d[\d\s-]{6,16}\d/g, '[redacted-phone]'],
];

export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('[redacted]');
  }
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}
