/**
 * Server half of Telegram's 2FA SRP (SHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow).
 * The verifier v = g^x comes from GramJS's own computeDigest; the check mirrors Password.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { computeDigest } from 'telegram/Password';
import { TELEGRAM_PRIME } from './handshake';

const G = 3n;
const P = toBig(TELEGRAM_PRIME);

function toBig(b: Buffer): bigint {
  return b.length ? BigInt(`0x${b.toString('hex')}`) : 0n;
}

function pad256(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(512, '0'), 'hex');
}

function h(...parts: Buffer[]): Buffer {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest();
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

export function passwordAlgo(userId: number): Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow {
  return new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
    salt1: h(Buffer.from(`standin-salt1:${userId}`)),
    salt2: h(Buffer.from(`standin-salt2:${userId}`)).subarray(0, 16),
    g: Number(G),
    p: TELEGRAM_PRIME,
  });
}

const verifiers = new Map<string, Promise<bigint>>();

/** v = g^x mod p for the user's password (PBKDF2 100k: cached per user and password). */
function verifier(userId: number, password: string): Promise<bigint> {
  const key = `${userId}\0${password}`;
  let v = verifiers.get(key);
  if (!v) {
    v = computeDigest(passwordAlgo(userId), password).then((d) => toBig(Buffer.from(d)));
    verifiers.set(key, v);
  }
  return v;
}

export interface SrpChallenge {
  srpId: string;
  b: bigint;
  B: Buffer;
  userId: number;
}

/** Starts a check: B = k*v + g^b mod p. */
export async function srpChallenge(userId: number, password: string, srpId: string): Promise<SrpChallenge> {
  const v = await verifier(userId, password);
  const k = toBig(h(TELEGRAM_PRIME, pad256(G)));
  const b = toBig(randomBytes(256)) % P;
  const B = (k * v + modPow(G, b, P)) % P;
  return { srpId, b, B: pad256(B), userId };
}

/** True when the client's M1 proves knowledge of the password. */
export async function srpVerify(ch: SrpChallenge, password: string, A: Buffer, M1: Buffer): Promise<boolean> {
  const a = toBig(A);
  if (a <= 0n || a >= P) return false;
  const v = await verifier(ch.userId, password);
  const aForHash = pad256(a);
  const u = toBig(h(aForHash, ch.B));
  if (u === 0n) return false;
  const S = modPow((a * modPow(v, u, P)) % P, ch.b, P);
  const K = h(pad256(S));
  const pg = h(TELEGRAM_PRIME);
  const gg = h(pad256(G));
  for (let i = 0; i < pg.length; i++) pg[i] ^= gg[i];
  const algo = passwordAlgo(ch.userId);
  const expected = h(pg, h(algo.salt1), h(algo.salt2), aForHash, ch.B, K);
  return expected.equals(M1);
}
