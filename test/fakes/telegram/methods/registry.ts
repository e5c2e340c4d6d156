/** RPC method table: request class (by TL constructor id) -> handler. Method files register on import. */
import type { Handler } from '../context';

type RequestClass<T> = { new (...args: never[]): T; CONSTRUCTOR_ID: number; className: string };

const table = new Map<number, Handler<unknown>>();

export function on<T>(cls: RequestClass<T>, fn: Handler<T>): void {
  table.set(cls.CONSTRUCTOR_ID, fn as Handler<unknown>);
}

export function handlerFor(request: { CONSTRUCTOR_ID: number }): Handler<unknown> | undefined {
  return table.get(request.CONSTRUCTOR_ID);
}
