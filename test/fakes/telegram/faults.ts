/**
 * Injected faults. Each fault matches a method (GramJS class name such as 'upload.SaveBigFilePart'
 * or TL name such as 'upload.saveBigFilePart'; '*' matches every method) and fires `count` times
 * (default 1; Infinity for always).
 */
export type FaultSpec =
  /** Answers FLOOD_WAIT_<seconds> (420); GramJS raises FloodWaitError. */
  | { kind: 'floodWait'; method: string; seconds: number; count?: number }
  /** Answers any RPC error, e.g. { code: 400, message: 'FILE_PARTS_INVALID' }. */
  | { kind: 'rpcError'; method: string; code: number; message: string; count?: number }
  /** Never answers the request (a stalled upload part when method is a save*FilePart). */
  | { kind: 'stall'; method: string; count?: number; part?: number }
  /** Closes the connection when the request arrives (no answer). */
  | { kind: 'dropConnection'; method: string; count?: number }
  /**
   * Runs the request (a sendMedia is recorded, its message exists) and holds the answer: never
   * sent, or sent after `ms`. What a client sees when it dies, or the link drops, between the
   * server's commit and the reply: the outcome of the send is unknown to it.
   */
  | { kind: 'holdReply'; method: string; count?: number; ms?: number };

export interface ActiveFault {
  id: number;
  spec: FaultSpec;
  remaining: number;
  fired: number;
}

export function normalizeMethod(name: string): string {
  return name.replace(/^Api\./, '').toLowerCase();
}

export class FaultBook {
  private nextId = 1;
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): number {
    validateFault(spec);
    const id = this.nextId++;
    this.faults.push({ id, spec, remaining: spec.count ?? 1, fired: 0 });
    return id;
  }

  clear(id?: number): void {
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id);
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Consumes and returns the first fault matching this call, if any. */
  take(method: string, part?: number): FaultSpec | undefined {
    const m = normalizeMethod(method);
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      const fm = normalizeMethod(f.spec.method);
      if (fm !== '*' && fm !== m) continue;
      if (f.spec.kind === 'stall' && f.spec.part !== undefined && f.spec.part !== part) continue;
      f.remaining--;
      f.fired++;
      return f.spec;
    }
    return undefined;
  }
}

export function validateFault(spec: FaultSpec): void {
  const where = `Telegram stand-in fault ${JSON.stringify(spec)}`;
  if (!spec || typeof spec !== 'object') throw new Error(`${where}: not an object`);
  if (typeof spec.method !== 'string' || !spec.method) throw new Error(`${where}: method is required`);
  if (spec.count !== undefined && !(spec.count > 0)) throw new Error(`${where}: count must be > 0`);
  switch (spec.kind) {
    case 'floodWait':
      if (!Number.isInteger(spec.seconds) || spec.seconds < 0) throw new Error(`${where}: seconds must be an integer >= 0`);
      return;
    case 'rpcError':
      if (!Number.isInteger(spec.code) || !/^[A-Z0-9_]+$/.test(spec.message ?? '')) {
        throw new Error(`${where}: needs an integer code and an UPPER_CASE message`);
      }
      return;
    case 'holdReply':
      if (spec.ms !== undefined && !(spec.ms >= 0)) throw new Error(`${where}: ms must be >= 0`);
      return;
    case 'stall':
    case 'dropConnection':
      return;
    default:
      throw new Error(`${where}: unknown kind`);
  }
}
