import { describe, expect, it } from 'vitest';
import { cannotPostReason, parseChatRef, type ChannelRights } from '../../electron/engine/telegram/destination-rules';

describe('chat references', () => {
  it('reads ids, @usernames, t.me links and me', () => {
    expect(parseChatRef('-1001234567890')).toEqual({ kind: 'channel', id: '1234567890' });
    expect(parseChatRef(' -123456 ')).toEqual({ kind: 'chat', id: '123456' });
    expect(parseChatRef('123456789')).toEqual({ kind: 'user', id: '123456789' });
    expect(parseChatRef('@VOD_Backup')).toEqual({ kind: 'username', username: 'vod_backup' });
    expect(parseChatRef('https://t.me/vod_backup')).toEqual({ kind: 'username', username: 'vod_backup' });
    expect(parseChatRef('me')).toEqual({ kind: 'self' });
  });

  it('refuses anything else with what was wrong', () => {
    for (const bad of ['hello', '@abc', '@1abcde', '-100abc', '', '@name with space']) {
      expect(() => parseChatRef(bad)).toThrow(/is not a chat id \(-100…\), a group id \(-…\) or an @username/);
    }
  });
});

describe('the right to post a video', () => {
  const base: ChannelRights = { broadcast: true, left: false, creator: false };
  it('broadcast channels: creator, or admin with post_messages', () => {
    expect(cannotPostReason({ ...base, creator: true })).toBeUndefined();
    expect(cannotPostReason({ ...base, admin: { postMessages: true } })).toBeUndefined();
    expect(cannotPostReason({ ...base, admin: { postMessages: false } })).toMatch(/Post messages/);
    expect(cannotPostReason(base)).toMatch(/only admins/);
    expect(cannotPostReason({ ...base, creator: true, left: true })).toMatch(/not a member/);
  });

  it('supergroups: anyone not restricted from media; admins always', () => {
    const group: ChannelRights = { ...base, broadcast: false };
    expect(cannotPostReason(group)).toBeUndefined();
    expect(cannotPostReason({ ...group, banned: { sendMessages: false, sendMedia: true } })).toMatch(/restricted/);
    expect(cannotPostReason({ ...group, defaultBanned: { sendMessages: false, sendMedia: true } })).toMatch(/members may not send media/);
    expect(cannotPostReason({ ...group, defaultBanned: { sendMessages: true, sendMedia: true }, admin: { postMessages: false } })).toBeUndefined();
  });
});
