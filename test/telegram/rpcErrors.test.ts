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
    expect(toEngineError(rpc(403, 'CHAT_WRITE_FORBIDDEN'), 'post to -1001')).toMatchObject({ errorClass: 'permanent', code: 'CHAT_WRITE_FORBIDDEN', message: 'Telegram post to -1001 failed: CHAT_WRITE_FORBIDDEN' });
    expect(toEngineError(rpc(500, 'INTERNAL'), 'post')).toMatchObject({ errorClass: 'transient', code: 'INTERNAL' });
    expect(toEngineError(new Error('socket hang up'), 'connect')).toMatchObject({ errorClass: 'transient', code: 'TELEGRAM_NETWORK' });
    expect(floodWaitSeconds(rpc(420, 'SLOWMODE_WAIT_7'))).toBe(7);
    expect(missingPart(rpc(400, 'FILE_PART_12_MISSING'))).toBe(12);
    expect(missingPart(rpc(400, 'FILE_PARTS_INVALID'))).toBeUndefined();
  });
});
