import { Api, password as srp } from 'telegram';
import { Raw } from 'telegram/events';
import type { LoginStep, TelegramAccount } from '../../../contract/domain';
import { createLogger } from '../../util/log';
import { registerSecret } from '../../util/redact';
import { rpcInfo } from '../rpcErrors';
import { toAccount } from './common';
import type { TelegramConnection } from './connection';

const log = createLogger('telegram.login');

type CodeVia = Extract<LoginStep, { step: 'code' }>['via'];

function codeVia(type: Api.auth.TypeSentCodeType): { via: CodeVia; codeLength?: number } {
  if (type instanceof Api.auth.SentCodeTypeApp) return { via: 'app', codeLength: type.length };
  if (type instanceof Api.auth.SentCodeTypeSms) return { via: 'sms', codeLength: type.length };
  if (type instanceof Api.auth.SentCodeTypeCall) return { via: 'call', codeLength: type.length };
  if (type instanceof Api.auth.SentCodeTypeEmailCode) return { via: 'email', codeLength: type.length };
  return { via: 'other' };
}

/** Human reasons for the errors a login form can fix by asking again. */
const REASONS: Record<string, string> = {
  PHONE_NUMBER_INVALID: 'This phone number is not valid for Telegram.',
  PHONE_NUMBER_BANNED: 'This phone number is banned by Telegram.',
  PHONE_NUMBER_UNOCCUPIED: 'No Telegram account uses this phone number.',
  PHONE_CODE_INVALID: 'Wrong code, try again.',
  PHONE_CODE_EMPTY: 'Enter the code.',
  PHONE_CODE_EXPIRED: 'The code expired; a new one was sent.',
  PASSWORD_HASH_INVALID: 'Wrong password, try again.',
  ACCESS_TOKEN_INVALID: 'This bot token is not valid.',
  ACCESS_TOKEN_EXPIRED: 'This bot token was revoked.',
  API_ID_INVALID: 'The API id / hash in Settings are not valid.',
};

function reason(err: unknown): string {
  const info = rpcInfo(err);
  if (info) return REASONS[info.message] ?? `Telegram said ${info.message}.`;
  return `Telegram could not be reached (${err instanceof Error ? err.message : String(err)}).`;
}

/**
 * The login form's state machine. Each call moves one step and returns (and emits) the next
 * `LoginStep`; one GramJS client serves the whole flow (a new client would expire the code).
 */
export class LoginFlow {
  private phone?: string;
  private phoneCodeHash?: string;
  private qr?: { timer?: NodeJS.Timeout; handler?: (u: unknown) => void; stopped: boolean };
  private current: LoginStep = { step: 'idle' };

  constructor(
    private readonly conn: TelegramConnection,
    private readonly apiId: number,
    private readonly apiHash: string,
    private readonly onStep: (step: LoginStep) => void = () => {},
  ) {}

  get step(): LoginStep {
    return this.current;
  }

  private emit(step: LoginStep): LoginStep {
    this.current = step;
    this.onStep(step);
    return step;
  }

  private async done(user: Api.TypeUser | undefined): Promise<LoginStep> {
    this.stopQr();
    let account: TelegramAccount;
    if (user instanceof Api.User) {
      account = toAccount(user);
      this.conn.setAccount(account);
    } else account = await this.conn.account(true);
    await this.conn.saveSession();
    log.info(`logged in as ${account.bot ? 'bot' : 'user'} ${account.id}${account.premium ? ' (Premium)' : ''}`);
    return this.emit({ step: 'done', account });
  }

  private async authorized(auth: Api.auth.TypeAuthorization): Promise<LoginStep> {
    if (auth instanceof Api.auth.AuthorizationSignUpRequired) {
      return this.emit({ step: 'failed', error: 'This phone number has no Telegram account yet: sign up in a Telegram app first.' });
    }
    return this.done(auth.user);
  }

  private async askPassword(error?: string): Promise<LoginStep> {
    try {
      const pw = await this.conn.client.invoke(new Api.account.GetPassword());
      return this.emit({ step: 'password', hint: pw.hint ?? undefined, error });
    } catch (err) {
      return this.emit({ step: 'failed', error: reason(err) });
    }
  }

  /** Sends the login code to `phone`. */
  async start({ phone }: { phone: string }): Promise<LoginStep> {
    this.stopQr();
    const cleaned = phone.replace(/[\s()-]/g, '');
    if (!/^\+?\d{7,15}$/.test(cleaned)) return this.emit({ step: 'phone', error: 'Enter the phone number in international form, e.g. +34 600 000 000.' });
    registerSecret(phone);
    registerSecret(cleaned);
    this.phone = cleaned;
    return this.sendCode();
  }

  private async sendCode(error?: string): Promise<LoginStep> {
    try {
      const sent = await this.conn.client.invoke(new Api.auth.SendCode({ phoneNumber: this.phone!, apiId: this.apiId, apiHash: this.apiHash, settings: new Api.CodeSettings({}) }));
      if (sent instanceof Api.auth.SentCodeSuccess) return this.authorized(sent.authorization);
      this.phoneCodeHash = sent.phoneCodeHash;
      return this.emit({ step: 'code', ...codeVia(sent.type), error });
    } catch (err) {
      return this.emit({ step: 'phone', error: reason(err) });
    }
  }

  async submitCode(code: string): Promise<LoginStep> {
    if (!this.phone || !this.phoneCodeHash) return this.emit({ step: 'phone', error: 'Start with the phone number.' });
    registerSecret(code);
    try {
      const auth = await this.conn.client.invoke(new Api.auth.SignIn({ phoneNumber: this.phone, phoneCodeHash: this.phoneCodeHash, phoneCode: code.trim() }));
      return await this.authorized(auth);
    } catch (err) {
      const msg = rpcInfo(err)?.message;
      if (msg === 'SESSION_PASSWORD_NEEDED') return this.askPassword();
      if (msg === 'PHONE_CODE_EXPIRED') return this.sendCode(reason(err));
      if (msg === 'PHONE_CODE_INVALID' || msg === 'PHONE_CODE_EMPTY') {
        const prev = this.current.step === 'code' ? this.current : { via: 'other' as const, codeLength: undefined };
        return this.emit({ step: 'code', via: prev.via, codeLength: prev.codeLength, error: reason(err) });
      }
      return this.emit({ step: 'failed', error: reason(err) });
    }
  }

  async submitPassword(pw: string): Promise<LoginStep> {
    registerSecret(pw);
    let hint: string | undefined;
    try {
      // A fresh SRP challenge per attempt: Telegram's are single-use.
      const params = await this.conn.client.invoke(new Api.account.GetPassword());
      hint = params.hint ?? undefined;
      const check = await srp.computeCheck(params, pw);
      const auth = await this.conn.client.invoke(new Api.auth.CheckPassword({ password: check }));
      return await this.authorized(auth);
    } catch (err) {
      const msg = rpcInfo(err)?.message;
      if (msg === 'PASSWORD_HASH_INVALID' || msg === 'SRP_ID_INVALID') return this.emit({ step: 'password', hint, error: reason(err) });
      return this.emit({ step: 'failed', error: reason(err) });
    }
  }

  async botLogin(token: string): Promise<LoginStep> {
    this.stopQr();
    registerSecret(token);
    if (!/^\d+:[A-Za-z0-9_-]{8,}$/.test(token.trim())) return this.emit({ step: 'failed', error: 'A bot token looks like 123456:ABC-DEF… (from @BotFather).' });
    try {
      const auth = await this.conn.client.invoke(new Api.auth.ImportBotAuthorization({ flags: 0, apiId: this.apiId, apiHash: this.apiHash, botAuthToken: token.trim() }));
      return await this.authorized(auth);
    } catch (err) {
      return this.emit({ step: 'failed', error: reason(err) });
    }
  }

  /**
   * QR login: emits 'qr' steps (url + expiry), renews the token when it expires, and finishes
   * when another device scans it (Telegram pushes updateLoginToken; we also re-check at expiry).
   */
  async startQr(): Promise<LoginStep> {
    this.stopQr();
    const state: NonNullable<LoginFlow['qr']> = { stopped: false };
    this.qr = state;
    const handler = () => void this.exportQr(state);
    state.handler = handler;
    this.conn.client.addEventHandler(handler, new Raw({ types: [Api.UpdateLoginToken] }));
    return this.exportQr(state);
  }

  private async exportQr(state: NonNullable<LoginFlow['qr']>): Promise<LoginStep> {
    if (state.stopped) return this.current;
    clearTimeout(state.timer);
    try {
      let res = await this.conn.client.invoke(new Api.auth.ExportLoginToken({ apiId: this.apiId, apiHash: this.apiHash, exceptIds: [] }));
      if (state.stopped) return this.current;
      if (res instanceof Api.auth.LoginTokenMigrateTo) {
        await (this.conn.client as unknown as { _switchDC(dc: number): Promise<void> })._switchDC(res.dcId);
        res = await this.conn.client.invoke(new Api.auth.ImportLoginToken({ token: res.token }));
      }
      if (res instanceof Api.auth.LoginTokenSuccess) return await this.authorized(res.authorization);
      if (res instanceof Api.auth.LoginToken) {
        const url = `tg://login?token=${Buffer.from(res.token).toString('base64url')}`;
        registerSecret(url);
        const expiresAt = new Date(res.expires * 1000);
        // Renew at expiry (and check whether it was scanned meanwhile).
        state.timer = setTimeout(() => void this.exportQr(state), Math.max(1000, expiresAt.getTime() - Date.now()));
        return this.emit({ step: 'qr', url, expiresAt: expiresAt.toISOString() });
      }
      return this.emit({ step: 'failed', error: 'Unexpected answer to the QR login request.' });
    } catch (err) {
      if (rpcInfo(err)?.message === 'SESSION_PASSWORD_NEEDED') {
        this.stopQr();
        return this.askPassword();
      }
      this.stopQr();
      return this.emit({ step: 'failed', error: reason(err) });
    }
  }

  private stopQr(): void {
    const state = this.qr;
    if (!state) return;
    state.stopped = true;
    clearTimeout(state.timer);
    if (state.handler) this.conn.client.removeEventHandler(state.handler, new Raw({ types: [Api.UpdateLoginToken] }));
    this.qr = undefined;
  }

  /** Logs the account out (the host's stored session is cleared through onSession('')). */
  async logout(): Promise<LoginStep> {
    this.stopQr();
    await this.conn.logout();
    return this.emit({ step: 'idle' });
  }

  /** Abandons the flow (the form was closed). */
  async cancel(): Promise<LoginStep> {
    this.stopQr();
    if (this.phone && this.phoneCodeHash) {
      try {
        await this.conn.client.invoke(new Api.auth.CancelCode({ phoneNumber: this.phone, phoneCodeHash: this.phoneCodeHash }));
      } catch {
        /* nothing to cancel */
      }
    }
    this.phone = undefined;
    this.phoneCodeHash = undefined;
    return this.emit({ step: 'idle' });
  }
}
