/** Login, logout, config and session methods. */
import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { RpcFailure } from '../context';
import type { CallContext } from '../context';
import { on } from './registry';
import { passwordAlgo, srpChallenge, srpVerify } from '../srp';
import type { UserRecord } from '../state';
import { big, nowSec, randomLongString, tlBool } from '../tl';
import { configTl, userTl } from '../views';

const QR_TTL_SEC = 30;

function authorization(u: UserRecord): Api.auth.Authorization {
  return new Api.auth.Authorization({ user: userTl(u, u.id) });
}

/** Binds the auth key to the account: the session is logged in from now on. */
function bind(ctx: CallContext, u: UserRecord): Api.auth.Authorization {
  ctx.auth.userId = u.id;
  ctx.core.state.save();
  const flow = ctx.core.loginFlow(ctx.keyId);
  for (const k of Object.keys(flow) as (keyof typeof flow)[]) delete flow[k];
  return authorization(u);
}

/** After a correct code or a QR scan: log in, or ask for the 2FA password. */
function completeFirstFactor(ctx: CallContext, u: UserRecord): Api.auth.Authorization {
  if (u.password) {
    ctx.core.loginFlow(ctx.keyId).passwordUserId = u.id;
    throw new RpcFailure(401, 'SESSION_PASSWORD_NEEDED');
  }
  return bind(ctx, u);
}

function sentCode(u: UserRecord, hash: string): Api.auth.SentCode {
  const length = u.code?.length ?? 5;
  return new Api.auth.SentCode({
    type: u.codeType === 'sms' ? new Api.auth.SentCodeTypeSms({ length }) : new Api.auth.SentCodeTypeApp({ length }),
    phoneCodeHash: hash,
    timeout: 60,
  });
}

function checkApi(apiId: number, apiHash: string): void {
  if (!Number.isInteger(apiId) || apiId <= 0 || !/^[0-9a-f]{32}$/i.test(apiHash)) throw new RpcFailure(400, 'API_ID_INVALID');
}

function accountPassword(u: UserRecord, srp?: { srpId: string; B: Buffer }): Api.account.Password {
  return new Api.account.Password({
    hasPassword: Boolean(u.password),
    currentAlgo: u.password ? passwordAlgo(u.id) : undefined,
    srp_B: srp?.B,
    srpId: srp ? big(srp.srpId) : undefined,
    hint: u.password ? u.hint : undefined,
    newAlgo: new Api.PasswordKdfAlgoUnknown(),
    newSecureAlgo: new Api.SecurePasswordKdfAlgoUnknown(),
    secureRandom: randomBytes(32),
  });
}

on(Api.help.GetConfig, (ctx) => {
  const u = ctx.auth.userId !== undefined ? ctx.core.state.userById(ctx.auth.userId) : undefined;
  return configTl(ctx.core.dcId, ctx.core.host, ctx.core.port, Boolean(u?.premium));
});

on(Api.help.GetNearestDc, (ctx) => new Api.NearestDc({ country: 'ZZ', thisDc: ctx.core.dcId, nearestDc: ctx.core.dcId }));

on(Api.updates.GetState, (ctx) => {
  ctx.user();
  return new Api.updates.State({ pts: ctx.core.state.data.pts, qts: 0, date: nowSec(), seq: 0, unreadCount: 0 });
});

on(Api.auth.SendCode, (ctx, req) => {
  checkApi(req.apiId, req.apiHash);
  const u = ctx.core.state.userByPhone(req.phoneNumber);
  if (!u || u.bot) throw new RpcFailure(400, 'PHONE_NUMBER_INVALID');
  const flow = ctx.core.loginFlow(ctx.keyId);
  flow.phone = u.phone;
  flow.phoneCodeHash = randomBytes(9).toString('hex');
  flow.codeSentAt = Date.now();
  return sentCode(u, flow.phoneCodeHash);
});

on(Api.auth.ResendCode, (ctx, req) => {
  const flow = ctx.core.loginFlow(ctx.keyId);
  const u = ctx.core.state.userByPhone(req.phoneNumber);
  if (!u || flow.phoneCodeHash !== req.phoneCodeHash) throw new RpcFailure(400, 'PHONE_CODE_EXPIRED');
  flow.phoneCodeHash = randomBytes(9).toString('hex');
  flow.codeSentAt = Date.now();
  return sentCode(u, flow.phoneCodeHash);
});

on(Api.auth.CancelCode, (ctx) => {
  const flow = ctx.core.loginFlow(ctx.keyId);
  delete flow.phoneCodeHash;
  return tlBool(true);
});

on(Api.auth.SignIn, (ctx, req) => {
  const flow = ctx.core.loginFlow(ctx.keyId);
  const u = ctx.core.state.userByPhone(req.phoneNumber);
  if (!u) throw new RpcFailure(400, 'PHONE_NUMBER_INVALID');
  if (!req.phoneCode) throw new RpcFailure(400, 'PHONE_CODE_EMPTY');
  // A hash from another sendCode (or another client instance), or an old code, has expired.
  if (!flow.phoneCodeHash || flow.phoneCodeHash !== req.phoneCodeHash || flow.phone !== u.phone) {
    throw new RpcFailure(400, 'PHONE_CODE_EXPIRED');
  }
  if (Date.now() - (flow.codeSentAt ?? 0) > ctx.core.codeTtlSec * 1000) throw new RpcFailure(400, 'PHONE_CODE_EXPIRED');
  if (req.phoneCode !== (u.code ?? '12345')) throw new RpcFailure(400, 'PHONE_CODE_INVALID');
  delete flow.phoneCodeHash;
  return completeFirstFactor(ctx, u);
});

on(Api.auth.SignUp, () => {
  throw new RpcFailure(400, 'PHONE_NUMBER_INVALID');
});

on(Api.account.GetPassword, async (ctx) => {
  const flow = ctx.core.loginFlow(ctx.keyId);
  const userId = ctx.auth.userId ?? flow.passwordUserId;
  const u = userId !== undefined ? ctx.core.state.userById(userId) : undefined;
  if (!u) throw new RpcFailure(401, 'AUTH_KEY_UNREGISTERED');
  if (!u.password) return accountPassword(u);
  flow.srp = await srpChallenge(u.id, u.password, randomLongString());
  return accountPassword(u, flow.srp);
});

on(Api.auth.CheckPassword, async (ctx, req) => {
  const flow = ctx.core.loginFlow(ctx.keyId);
  const u = flow.passwordUserId !== undefined ? ctx.core.state.userById(flow.passwordUserId) : undefined;
  if (!u || !u.password) throw new RpcFailure(400, 'PASSWORD_HASH_INVALID');
  const check = req.password;
  if (!(check instanceof Api.InputCheckPasswordSRP)) throw new RpcFailure(400, 'PASSWORD_HASH_INVALID');
  if (!flow.srp || flow.srp.srpId !== check.srpId.toString()) throw new RpcFailure(400, 'SRP_ID_INVALID');
  const ok = await srpVerify(flow.srp, u.password, Buffer.from(check.A), Buffer.from(check.M1));
  // Each challenge is single-use, as on Telegram: the client calls account.getPassword again.
  delete flow.srp;
  if (!ok) throw new RpcFailure(400, 'PASSWORD_HASH_INVALID');
  return bind(ctx, u);
});

on(Api.auth.ExportLoginToken, (ctx, req) => {
  checkApi(req.apiId, req.apiHash);
  const flow = ctx.core.loginFlow(ctx.keyId);
  if (flow.qrAcceptedUserId !== undefined) {
    const u = ctx.core.state.userById(flow.qrAcceptedUserId);
    if (!u) throw new RpcFailure(400, 'AUTH_TOKEN_INVALID');
    delete flow.qrToken;
    delete flow.qrAcceptedUserId;
    return new Api.auth.LoginTokenSuccess({ authorization: completeFirstFactor(ctx, u) });
  }
  flow.qrToken = randomBytes(32);
  flow.qrExpires = nowSec() + QR_TTL_SEC;
  flow.qrIssuedAt = Date.now();
  return new Api.auth.LoginToken({ token: flow.qrToken, expires: flow.qrExpires });
});

on(Api.auth.ImportLoginToken, (ctx, req) => {
  const flow = ctx.core.loginFlow(ctx.keyId);
  if (flow.qrAcceptedUserId === undefined || !flow.qrToken?.equals(req.token)) throw new RpcFailure(400, 'AUTH_TOKEN_INVALID');
  const u = ctx.core.state.userById(flow.qrAcceptedUserId);
  if (!u) throw new RpcFailure(400, 'AUTH_TOKEN_INVALID');
  delete flow.qrToken;
  delete flow.qrAcceptedUserId;
  return new Api.auth.LoginTokenSuccess({ authorization: completeFirstFactor(ctx, u) });
});

on(Api.auth.ImportBotAuthorization, (ctx, req) => {
  checkApi(req.apiId, req.apiHash);
  const bot = ctx.core.state.data.users.find((u) => u.bot && u.botToken === req.botAuthToken);
  if (!bot) throw new RpcFailure(400, 'ACCESS_TOKEN_INVALID');
  return bind(ctx, bot);
});

on(Api.auth.LogOut, (ctx) => {
  ctx.user();
  delete ctx.auth.userId;
  ctx.core.state.save();
  return new Api.auth.LoggedOut({});
});

on(Api.auth.ExportAuthorization, (ctx, req) => {
  const u = ctx.user();
  if (req.dcId !== ctx.core.dcId && (req.dcId < 1 || req.dcId > 5)) throw new RpcFailure(400, 'DC_ID_INVALID');
  return new Api.auth.ExportedAuthorization({ id: big(u.id), bytes: Buffer.from(`standin:${u.id}`) });
});

on(Api.auth.ImportAuthorization, (ctx, req) => {
  const match = /^standin:(\d+)$/.exec(Buffer.from(req.bytes).toString());
  const u = match ? ctx.core.state.userById(Number(match[1])) : undefined;
  if (!u || req.id.toString() !== String(u.id)) throw new RpcFailure(400, 'AUTH_BYTES_INVALID');
  return bind(ctx, u);
});
