/**
 * JSON form of any message (docs/json.md): dispatch on `"type"`. `length` is informational:
 * `messageToJson` can add it (the CLI does) and `messageFromJson` ignores it.
 */
import type { BgpMessage } from '../codec/message.js';
import { DEFAULT_CONTEXT, type CodecContext } from '../codec/context.js';
import { expectObject, expectString, jsonError, type JsonObject } from './json-util.js';
import { keepaliveFromJson, keepaliveToJson } from './keepalive.js';
import { notificationFromJson, notificationToJson } from './notification.js';
import { openFromJson, openToJson } from './open.js';
import { routeRefreshFromJson, routeRefreshToJson } from './route-refresh.js';
import { updateFromJson, updateToJson } from './update.js';

export function messageToJson(m: BgpMessage, ctx: CodecContext = DEFAULT_CONTEXT): JsonObject {
  switch (m.type) {
    case 'UPDATE':
      return updateToJson(m, ctx);
    case 'OPEN':
      return openToJson(m);
    case 'NOTIFICATION':
      return notificationToJson(m) as unknown as JsonObject;
    case 'ROUTE-REFRESH':
      return routeRefreshToJson(m) as unknown as JsonObject;
    case 'KEEPALIVE':
      return keepaliveToJson(m) as unknown as JsonObject;
  }
}

/** The JSON form with `length` (octets on the wire) right after `type`, as `tsbgp decode` prints it. */
export function messageToJsonWithLength(m: BgpMessage, length: number, ctx: CodecContext = DEFAULT_CONTEXT): JsonObject {
  const { type, ...rest } = messageToJson(m, ctx);
  return { type, length, ...rest };
}

export function messageFromJson(j: unknown, path = ''): BgpMessage {
  const o = expectObject(j, path);
  const { length: _length, ...body } = o;
  const type = expectString(o.type, path ? `${path}.type` : 'type');
  switch (type) {
    case 'UPDATE':
      return updateFromJson(body, path);
    case 'OPEN':
      return openFromJson(body, path);
    case 'NOTIFICATION':
      return notificationFromJson(body, path);
    case 'ROUTE-REFRESH':
      return routeRefreshFromJson(body, path);
    case 'KEEPALIVE':
      return keepaliveFromJson(body, path);
    default:
      throw jsonError(path ? `${path}.type` : 'type', `unknown message type ${JSON.stringify(type)} (OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH)`);
  }
}
