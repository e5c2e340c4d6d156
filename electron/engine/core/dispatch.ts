import type { z } from 'zod';
import { RequestMessage, isRequestName, requests, type ProtocolError, type RequestName, type ResponseMessage } from '../../contract/protocol';
import type { Handlers } from './requests';
import { EngineError, classify } from '../util/errors';
import { createLogger } from '../util/log';
import { redact } from '../util/redact';

const log = createLogger('protocol');

/**
 * The engine's edge: every inbound message is checked against the protocol before a handler sees
 * it. A bad message gets an error reply naming the field; the engine keeps running.
 */
export function createDispatcher(handlers: Handlers): (raw: unknown) => Promise<ResponseMessage> {
  return async (raw) => {
    const envelope = RequestMessage.safeParse(raw);
    if (!envelope.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      return fail(id, invalid('bad_request', envelope.error));
    }
    const { id, method, params } = envelope.data;
    if (!isRequestName(method)) return fail(id, { code: 'unknown_method', message: `Unknown request "${method}".`, field: 'method' });
    const schema = requests[method] as z.ZodType;
    const parsed = schema.safeParse(params ?? {});
    if (!parsed.success) return fail(id, invalid('invalid_params', parsed.error, 'params'));
    try {
      const handler = handlers[method as RequestName] as (p: unknown) => unknown;
      const result = await handler(parsed.data);
      return { kind: 'response', id, ok: true, result };
    } catch (error) {
      const info = classify(error);
      if (!(error instanceof EngineError)) log.error(`${method} failed`, error);
      const field = (error as { field?: string }).field;
      return fail(id, { code: info.code, message: redact(info.message), errorClass: info.errorClass, ...(field ? { field } : {}) });
    }
  };
}

function invalid(code: string, error: z.ZodError, prefix?: string): ProtocolError {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  const message = error.issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || 'message'}: ${i.message}`)
    .join('; ');
  return { code, message: redact(message), field: field || undefined };
}

function fail(id: number, error: ProtocolError): ResponseMessage {
  return { kind: 'response', id, ok: false, error };
}
