import { describe, expect, it } from 'vitest';
import { Api, errors } from 'telegram';
import { floodWaitSeconds, missingPart, toEngineError } from '../../electron/engine/telegram/rpcErrors';

const req = new Api.messages.SendMedia({ peer: new Api.InputPeerSelf(), media: new Api.InputMediaEmpty(), message: '' });
const rpc = (code: number, message: string) => errors.RPCMessageToError(new Api.RpcError({ errorCode: code, errorMessage: message }), req);

describe('Telegram error classes', () => {
  it('maps GramJS RPC errors to engine error classes', () => {
    expect(toEngineError(rpc(420, 'FLOOD_WAIT_42'), 'post')).toMatchObject({ errorClass: 'transient', code: 'FLOOD_WAIT', retryAfterSec: 42 });
    expect(toEngineError(rpc(401, 'SESSION_REVOKED'), 'post')).toMatchObject({ errorClass: 'login', code: 'TELEGRAM_LOGIN_NEEDED' });
    expect(toEngineError(rpc(401, 'USER_DEACTIVATED'), 'post')).toMatchObject({ errorClass: 'login' });
    expect(toEngineError(rpc(403, 'CHAT_WRITE_FORBIDDEN'), 'post to -1001')).toMatchObject({
      errorClass: 'permanent',
      code: 'CHAT_WRITE_FORBIDDEN',
      message: 'Telegram post to -1001 failed: CHAT_WRITE_FORBIDDEN',
    });
    expect(toEngineError(rpc(500, 'INTERNAL'), 'post')).toMatchObject({ errorClass: 'transient', code: 'INTERNAL' });
    expect(toEngineError(new Error('socket hang up'), 'connect')).toMatchObject({ errorClass: 'transient', code: 'TELEGRAM_NETWORK' });
    expect(floodWaitSeconds(rpc(420, 'SLOWMODE_WAIT_7'))).toBe(7);
    expect(missingPart(rpc(400, 'FILE_PART_12_MISSING'))).toBe(12);
    expect(missingPart(rpc(400, 'FILE_PARTS_INVALID'))).toBeUndefined();
  });
});

describe('destinations the account cannot write to', () => {
  it('are permanent for that destination and say what to do', async () => {
    const { isDestinationError, destinationError } = await import('../../electron/engine/telegram/rpcErrors');
    const cases: Array<[number, string, RegExp]> = [
      [403, 'CHAT_WRITE_FORBIDDEN', /admin with "Post messages"/],
      [400, 'CHAT_ADMIN_REQUIRED', /make this account an admin/],
      [406, 'CHANNEL_PRIVATE', /not in that chat.*add it/],
      [400, 'USER_BANNED_IN_CHANNEL', /banned from sending/],
      [400, 'PEER_ID_INVALID', /@username/],
    ];
    for (const [code, name, advice] of cases) {
      const err = toEngineError(rpc(code, name), 'post to -1001', '-1001');
      expect(err).toMatchObject({ errorClass: 'permanent', code: name });
      expect(err.message).toMatch(new RegExp(`^Telegram: cannot post in -1001: `));
      expect(err.message).toMatch(advice);
      expect(isDestinationError(err)).toBe(true);
      expect(isDestinationError(rpc(code, name))).toBe(true);
    }
    // Without a destination the class is the same, the message names the call.
    expect(toEngineError(rpc(403, 'CHAT_WRITE_FORBIDDEN'), 'post')).toMatchObject({ errorClass: 'permanent', code: 'CHAT_WRITE_FORBIDDEN' });
    expect(isDestinationError(rpc(420, 'FLOOD_WAIT_3'))).toBe(false);
    expect(isDestinationError(new Error('socket'))).toBe(false);
    expect(destinationError('SOMETHING_NEW', '@x').message).toMatch(/cannot post in @x/);
  });

  it('a method bots may not call is permanent, not retried', () => {
    expect(toEngineError(rpc(400, 'BOT_METHOD_INVALID'), 'chat list')).toMatchObject({ errorClass: 'permanent', code: 'BOT_METHOD_INVALID' });
  });
});
