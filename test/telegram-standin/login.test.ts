import { Api, errors } from 'telegram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramStandIn } from '../fakes/telegram';
import type { TelegramStandIn } from '../fakes/telegram';
import { STANDIN_API_HASH, STANDIN_API_ID } from '../fakes/telegram/client';
import { client, destroyClients, loginWithCode } from './helpers';

const creds = { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH };
let s: TelegramStandIn;

beforeAll(async () => {
  s = await startTelegramStandIn();
});
afterEach(destroyClients);
afterAll(async () => s.close());

function rpcMessage(err: unknown): string {
  return (err as { errorMessage?: string }).errorMessage ?? String(err);
}

describe('login through MTProto', () => {
  it('logs in by phone and code (app), and the saved session stays logged in on a new connection', async () => {
    const c = client(s);
    await c.connect();
    expect(await c.checkAuthorization()).toBe(false);
    const { errors: errs, viaApp } = await loginWithCode(c, '+15550000001', ['12345']);
    expect(errs).toEqual([]);
    expect(viaApp).toEqual([true]);
    const me = await c.getMe();
    expect(me.self).toBe(true);
    expect(me.phone).toBe('15550000001');
    expect(me.premium).toBeFalsy();
    const saved = c.session.save() as unknown as string;
    const keys = s.state().sessions.length;

    const again = client(s, saved);
    await again.connect();
    expect(await again.checkAuthorization()).toBe(true);
    expect((await again.getMe()).id.toString()).toBe(me.id.toString());
    expect(s.state().sessions.length).toBe(keys);
    expect(s.state().sessions.find((k) => k.userId === Number(me.id))).toBeDefined();
  });

  it('asks again on a wrong code, and says when the code went by SMS', async () => {
    const c = client(s);
    // Bob gets codes by SMS and has 2FA.
    const r = await loginWithCode(c, '+15550000002', ['99999', '22222'], ['hunter2']);
    expect(r.viaApp).toEqual([false, false]);
    expect(r.errors).toEqual(['400: PHONE_CODE_INVALID (caused by auth.SignIn)']);
    expect((await c.getMe()).firstName).toBe('Bob');
  });

  it('answers PHONE_CODE_EXPIRED for an expired code and for a superseded code hash', async () => {
    const c = client(s);
    await c.connect();
    const first = await c.sendCode(creds, '+15550000001');
    s.expireLoginCodes();
    const signIn = (hash: string) => c.invoke(new Api.auth.SignIn({ phoneNumber: '+15550000001', phoneCodeHash: hash, phoneCode: '12345' }));
    await expect(signIn(first.phoneCodeHash)).rejects.toMatchObject({ errorMessage: 'PHONE_CODE_EXPIRED' });
    const second = await c.sendCode(creds, '+15550000001');
    const third = await c.sendCode(creds, '+15550000001');
    expect(third.phoneCodeHash).not.toBe(second.phoneCodeHash);
    await expect(signIn(second.phoneCodeHash)).rejects.toMatchObject({ errorMessage: 'PHONE_CODE_EXPIRED' });
    const auth = await signIn(third.phoneCodeHash);
    expect(auth).toBeInstanceOf(Api.auth.Authorization);
  });

  it('rejects an unknown phone number', async () => {
    const c = client(s);
    await c.connect();
    await expect(c.sendCode(creds, '+19999999999')).rejects.toMatchObject({ errorMessage: 'PHONE_NUMBER_INVALID' });
  });

  it('checks the 2FA password with real SRP: wrong password asks again with the hint', async () => {
    const c = client(s);
    const r = await loginWithCode(c, '+15550000002', ['22222'], ['wrong-password', 'hunter2']);
    expect(r.errors).toEqual(['400: PASSWORD_HASH_INVALID (caused by auth.CheckPassword)']);
    expect(r.hints).toEqual(['the usual', 'the usual']);
    expect((await c.getMe()).firstName).toBe('Bob');
  });

  it('refuses a password check that reuses a spent SRP challenge', async () => {
    const c = client(s);
    await c.connect();
    const sent = await c.sendCode(creds, '+15550000002');
    await expect(c.invoke(new Api.auth.SignIn({ phoneNumber: '+15550000002', phoneCodeHash: sent.phoneCodeHash, phoneCode: '22222' }))).rejects.toMatchObject({
      errorMessage: 'SESSION_PASSWORD_NEEDED',
    });
    const { computeCheck } = await import('telegram/Password');
    const pw = await c.invoke(new Api.account.GetPassword());
    expect(pw.hasPassword).toBe(true);
    const check = await computeCheck(pw, 'hunter2');
    await c.invoke(new Api.auth.CheckPassword({ password: check }));
    await expect(c.invoke(new Api.auth.CheckPassword({ password: check }))).rejects.toMatchObject({
      errorMessage: 'PASSWORD_HASH_INVALID',
    });
  });

  it('logs in by QR code once the token is scanned (as a Premium account)', async () => {
    const c = client(s);
    await c.connect();
    const tokens: string[] = [];
    const user = await c.signInUserWithQrCode(creds, {
      qrCode: async ({ token }) => {
        const url = `tg://login?token=${token.toString('base64url')}`;
        tokens.push(url);
        s.scanQr(url, '+15550000003');
      },
      onError: async () => true,
    });
    expect(tokens).toHaveLength(1);
    expect((user as Api.User).firstName).toBe('Carol');
    const me = await c.getMe();
    expect(me.premium).toBe(true);
  });

  it('QR login of a 2FA account continues with the password', async () => {
    const c = client(s);
    await c.connect();
    const user = await c.signInUserWithQrCode(creds, {
      qrCode: async () => {
        s.scanQr('+15550000002');
      },
      password: async () => 'hunter2',
      onError: async () => true,
    });
    expect((user as Api.User).firstName).toBe('Bob');
  });

  it('logs a bot in by token and refuses a wrong token', async () => {
    const bad = client(s);
    await bad.connect();
    await expect(bad.signInBot(creds, { botAuthToken: '1:WRONG' })).rejects.toMatchObject({
      errorMessage: 'ACCESS_TOKEN_INVALID',
    });
    const c = client(s);
    await c.start({ botAuthToken: '123456:STANDIN-BOT-TOKEN' });
    const me = await c.getMe();
    expect(me.bot).toBe(true);
    await expect(c.getDialogs({})).rejects.toMatchObject({ errorMessage: 'BOT_METHOD_INVALID' });
  });

  it('logs out, and a session revoked elsewhere gets AUTH_KEY_UNREGISTERED', async () => {
    const c = client(s);
    await loginWithCode(c, '+15550000003', ['33333']);
    await c.invoke(new Api.auth.LogOut());
    expect(await c.checkAuthorization()).toBe(false);

    const d = client(s);
    await loginWithCode(d, '+15550000001', ['12345']);
    expect(s.revokeSessions('+15550000001')).toBeGreaterThanOrEqual(1);
    const err = await d.getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.RPCError);
    expect(rpcMessage(err)).toBe('AUTH_KEY_UNREGISTERED');
    expect((err as errors.RPCError).code).toBe(401);
    expect(await d.checkAuthorization()).toBe(false);
  });
});
