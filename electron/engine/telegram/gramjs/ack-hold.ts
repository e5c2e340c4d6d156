/**
 * Acks held back on a connection that carries upload parts. GramJS queues a msgs_ack for every
 * reply; as a part never shares a message with them (runtime.ts packerGet), each part cost a
 * second, stand-alone encrypted message: half the messages of an upload, each with GramJS's full
 * per-message cost. MTProto lets a client hold acks: it "acknowledges the receipt of a message
 * from a server ... by adding an acknowledgment to the next RPC query if it is not transmitted
 * too late (... 60-120 seconds ...) ... if there is a large number of unacknowledged messages
 * from the server (say, over 16), the client transmits a stand-alone acknowledgment"
 * (core.telegram.org/mtproto/service_messages_about_messages). So held acks go out with the next
 * small request, when over 16 ids are held, or after ACK_HOLD_MS, whichever comes first.
 */

export interface AckPackerState {
  data: Buffer;
  request: { CONSTRUCTOR_ID: number; msgIds?: unknown[] };
}
export interface AckPacker {
  _queue: Array<AckPackerState | undefined>;
  append(state: AckPackerState): void;
}

/** msgs_ack#62d6b459 (core.telegram.org/schema/mtproto). */
export const MSGS_ACK = 0x62d6b459;
/** "over 16" unacknowledged messages: send them. */
export const ACK_HOLD_MAX_IDS = 16;
/** Far inside the 60-120 s the protocol page calls "too late". */
export const ACK_HOLD_MS = 1000;

interface Hold {
  states: AckPackerState[];
  ids: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Set by the timer: the next get() sends the queue as it is. */
  release: boolean;
}
const holds = new WeakMap<AckPacker, Hold>();

const isAck = (s: AckPackerState | undefined): s is AckPackerState => s !== undefined && s.request.CONSTRUCTOR_ID === MSGS_ACK;

function flush(packer: AckPacker, hold: Hold): void {
  packer._queue = [...hold.states, ...packer._queue];
  hold.states = [];
  hold.ids = 0;
  clearTimeout(hold.timer);
  hold.timer = undefined;
}

/**
 * Called at the start of MessagePacker.get: moves acks between the queue and the hold. Only a
 * packer that has carried a request of at least `bigBytes` holds acks. Returns true when nothing
 * is left to send now (get() then returns null and GramJS's send loop waits for the next request).
 */
export function holdAcks(packer: AckPacker, bigBytes: number): boolean {
  const queue = packer._queue;
  // undefined is MessagePacker.clear()'s marker (a reconnect, a new session): held acks are moot.
  if (queue.includes(undefined)) {
    const old = holds.get(packer);
    if (old) clearTimeout(old.timer);
    holds.delete(packer);
    return false;
  }
  let hold = holds.get(packer);
  if (!hold) {
    if (!queue.some((s) => s !== undefined && s.data.length >= bigBytes)) return false;
    hold = { states: [], ids: 0, release: false };
    holds.set(packer, hold);
  }
  if (hold.release) {
    hold.release = false;
    return false;
  }
  const acks = queue.filter(isAck);
  if (acks.length > 0) {
    packer._queue = queue.filter((s) => !isAck(s));
    hold.states.push(...acks);
    for (const a of acks) hold.ids += Array.isArray(a.request.msgIds) ? a.request.msgIds.length : 1;
  }
  const small = packer._queue.some((s) => s !== undefined && s.data.length < bigBytes);
  if (hold.states.length > 0 && (small || hold.ids > ACK_HOLD_MAX_IDS)) flush(packer, hold);
  else if (hold.states.length > 0 && hold.timer === undefined) {
    const h = hold;
    h.timer = setTimeout(() => {
      h.timer = undefined;
      if (holds.get(packer) !== h || h.states.length === 0) return;
      const states = h.states;
      h.states = [];
      h.ids = 0;
      h.release = true;
      // append() wakes GramJS's send loop.
      for (const s of states) packer.append(s);
    }, ACK_HOLD_MS);
    h.timer.unref?.();
  }
  return packer._queue.length === 0;
}
