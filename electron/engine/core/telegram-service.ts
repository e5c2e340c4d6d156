import type { ChatOption, LoginStep, TelegramAccount } from '../../contract/domain';
import type { ParsedParams } from '../../contract/protocol';
import type { Problem, Settings } from '../../contract/settings';
import { bindPeersToAccount, deletePeer, getPeer, getPeerByUsername, putPeer, type PeerRecord } from '../store/peers';
import { LoginFlow, TelegramConnection, type Destination, type PeerCache, type PeerEntry, type PostCheck } from '../telegram';
import { EngineError, classify } from '../util/errors';
import { createLogger } from '../util/log';
import type { Engine } from './engine';

const log = createLogger('telegram');

/**
 * The engine's Telegram account: the one connection used for posting, and the login flows the UI
 * drives step by step. The session string goes to the host's secret store, never to settings.
 */
export class TelegramService {
  private conn?: Promise<TelegramConnection>;
  private connKey = '';
  private flow?: { conn: TelegramConnection; flow: LoginFlow };

  constructor(private readonly engine: Engine) {}

  private options(session: string) {
    const { settings } = this.engine;
    if (!settings.telegram.apiId || !settings.telegram.apiHash) {
      throw new EngineError('permanent', 'telegram_api_missing', 'The Telegram API id and hash are needed (Settings > Telegram, from my.telegram.org).');
    }
    return {
      apiId: settings.telegram.apiId,
      apiHash: settings.telegram.apiHash,
      session,
      testServer: settings.advanced.telegramServer ?? undefined,
      peers: this.peerCache(),
    };
  }

  /** The SQLite peer cache: one row per real peer id (usernames are a column, not keys). */
  private peerCache(): PeerCache {
    const db = () => this.engine.db;
    const entry = (p: PeerRecord | undefined): PeerEntry | undefined =>
      p && { id: p.id, kind: p.kind as PeerEntry['kind'], accessHash: p.accessHash, title: p.title, username: p.username };
    return {
      get: (id) => entry(getPeer(db(), id)),
      byUsername: (username) => entry(getPeerByUsername(db(), username)),
      put: (e) => putPeer(db(), { id: e.id, kind: e.kind, accessHash: e.accessHash, title: e.title ?? '', username: e.username }),
      forget: (id) => deletePeer(db(), id),
    };
  }

  /**
   * Whether the logged-in account can post in each destination (resolve + its rights there), for
   * settings.update to report "this account cannot post in X" before the first upload.
   */
  async checkDestinations(destinations: Destination[]): Promise<PostCheck[]> {
    const conn = await this.connection();
    const out: PostCheck[] = [];
    for (const d of destinations) out.push(await conn.checkCanPost(d));
    return out;
  }

  /**
   * The settings' Telegram destinations this account cannot post in, as settings problems
   * (`destinations.N.chatId`). Nothing when not logged in or Telegram cannot be reached now: the
   * upload will tell then.
   */
  async destinationProblems(destinations: Settings['destinations']): Promise<Problem[]> {
    const telegram = destinations.flatMap((d, i) => (d.kind === 'telegram' ? [{ i, name: d.name || d.chatId, dest: { chat: d.chatId, topicId: d.topicId } }] : []));
    if (telegram.length === 0) return [];
    try {
      const checks = await this.checkDestinations(telegram.map((t) => t.dest));
      return checks.flatMap((c, k) =>
        c.canPost ? [] : [{ path: `destinations.${telegram[k]!.i}.chatId`, message: `This account cannot post in ${telegram[k]!.name}: ${c.reason}` }],
      );
    } catch (error) {
      log.info(`destinations not checked: ${classify(error).message}`);
      return [];
    }
  }

  /** The logged-in connection for posting; EngineError('login') when there is no valid session. */
  async connection(): Promise<TelegramConnection> {
    if (!this.engine.secrets.telegramSession && this.engine.secrets.telegramBotToken && !this.flow) await this.botLoginFromSecret();
    const session = this.engine.secrets.telegramSession;
    if (!session) throw new EngineError('login', 'telegram_login_needed', 'Telegram login needed (Accounts > Telegram).');
    const key = JSON.stringify([session, this.engine.settings.telegram.apiId, this.engine.settings.advanced.telegramServer]);
    if (!this.conn || key !== this.connKey) {
      const previous = this.conn;
      this.connKey = key;
      this.conn = TelegramConnection.connect({
        ...this.options(session),
        onSession: (s) => this.storeSession(s),
      });
      this.conn.catch(() => {
        if (this.connKey === key) this.conn = undefined;
      });
      void previous?.then((c) => c.close()).catch(() => {});
    }
    const conn = await this.conn;
    try {
      const account = await conn.account();
      if (bindPeersToAccount(this.engine.db, account.id)) log.info('another Telegram account is in use: chat lookups start afresh');
      if (this.engine.account?.id !== account.id || this.engine.account.premium !== account.premium) this.engine.setAccount(account);
    } catch (error) {
      if (classify(error).errorClass === 'login') {
        // Revoked elsewhere: forget the session so nothing retries it in a loop.
        this.engine.setAccount(null);
        this.engine.updateSecrets({}, ['telegramSession']);
      }
      throw error;
    }
    return conn;
  }

  async premium(): Promise<boolean> {
    const setting = this.engine.settings.telegram.premium;
    if (setting !== 'auto') return setting === 'yes';
    // Read afresh at each attempt (one users.getUsers call): the account may have bought or lost
    // Premium since the connection was made, and the connection caches the account.
    const account = await (await this.connection()).account(true);
    if (this.engine.account?.premium !== account.premium) this.engine.setAccount(account);
    return account.premium;
  }

  /** Headless set-ups can give a bot token (TVB_TELEGRAM_BOT_TOKEN) instead of logging in. */
  private async botLoginFromSecret(): Promise<void> {
    const step = await this.startLogin({ method: 'bot', token: this.engine.secrets.telegramBotToken as string });
    if (step.step !== 'done') {
      throw new EngineError('login', 'telegram_bot_login_failed', `Telegram bot login failed: ${step.step === 'failed' ? step.error : step.step}`);
    }
  }

  private storeSession(session: string): void {
    if (session) this.engine.updateSecrets({ telegramSession: session });
    else this.engine.updateSecrets({}, ['telegramSession']);
  }

  private emit = (step: LoginStep) => {
    this.engine.setLogin(step);
    if (step.step === 'done') this.finishLogin(step.account);
  };

  private finishLogin(account: TelegramAccount): void {
    this.engine.setAccount(account);
    // The flow's connection becomes the posting connection: same session, no second handshake.
    const flow = this.flow;
    this.flow = undefined;
    if (flow) {
      this.conn = Promise.resolve(flow.conn);
      this.connKey = JSON.stringify([this.engine.secrets.telegramSession, this.engine.settings.telegram.apiId, this.engine.settings.advanced.telegramServer]);
    }
  }

  private async newFlow(): Promise<LoginFlow> {
    await this.cancelLogin().catch(() => {});
    const conn = await TelegramConnection.connect({ ...this.options(''), onSession: (s) => this.storeSession(s) });
    const s = this.engine.settings.telegram;
    const flow = new LoginFlow(conn, s.apiId as number, s.apiHash, this.emit);
    this.flow = { conn, flow };
    return flow;
  }

  async startLogin(params: ParsedParams<'telegram.login.start'>): Promise<LoginStep> {
    try {
      const flow = await this.newFlow();
      if (params.method === 'phone') {
        this.engine.updateSecrets({ telegramPhone: params.phone });
        return await flow.start({ phone: params.phone });
      }
      if (params.method === 'bot') return await flow.botLogin(params.token);
      return await flow.startQr();
    } catch (error) {
      const step: LoginStep = { step: 'failed', error: classify(error).message };
      this.engine.setLogin(step);
      return step;
    }
  }

  private current(): LoginFlow {
    if (!this.flow) throw new EngineError('permanent', 'no_login', 'No login is in progress: start again with your phone number.');
    return this.flow.flow;
  }

  submitCode(code: string): Promise<LoginStep> {
    return this.current().submitCode(code);
  }

  submitPassword(password: string): Promise<LoginStep> {
    return this.current().submitPassword(password);
  }

  async cancelLogin(): Promise<LoginStep> {
    const flow = this.flow;
    this.flow = undefined;
    if (!flow) return this.engine.login;
    const step = await flow.flow.cancel();
    await flow.conn.close();
    return step;
  }

  async logout(): Promise<void> {
    const conn = this.engine.secrets.telegramSession ? await this.connection().catch(() => undefined) : undefined;
    this.conn = undefined;
    if (conn) await conn.logout();
    this.engine.updateSecrets({}, ['telegramSession']);
    this.engine.setAccount(null);
    this.engine.setLogin({ step: 'idle' });
    log.info('logged out of Telegram');
  }

  async chats(): Promise<ChatOption[]> {
    return (await this.connection()).listChats();
  }

  async close(): Promise<void> {
    await this.cancelLogin().catch(() => {});
    const conn = this.conn;
    this.conn = undefined;
    await conn?.then((c) => c.close()).catch(() => {});
  }
}
