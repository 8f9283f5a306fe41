/**
 * ADD_PATH capability (code 69, RFC 7911 s4): 4-octet tuples AFI (2), SAFI (1), Send/Receive
 * (1: 1 = receive, 2 = send, 3 = both). Other Send/Receive values are kept as numbers (the session
 * ignores those tuples). Owns only the value layout; the session derives CodecContext.addPath.
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import {
  afiFromJson,
  afiToJson,
  expectArray,
  expectObject,
  field,
  namedFromJson,
  onlyKeys,
  safiFromJson,
  safiToJson,
} from '../../json/json-util.js';
import { readU16 } from '../bytes.js';
import { badLength, checkUint, type CapabilityCodec } from './capability-codec.js';

/** RFC 7911 s4 Send/Receive values. */
export const AddPathSendReceive = { RECEIVE: 1, SEND: 2, BOTH: 3 } as const;

/** JSON names of the Send/Receive values; others are plain numbers. */
export const ADD_PATH_SEND_RECEIVE_NAMES: Readonly<Record<number, string>> = { 1: 'receive', 2: 'send', 3: 'both' };

export interface AddPathAf {
  readonly afi: number;
  readonly safi: number;
  /** 1 receive, 2 send, 3 both; any other octet as received. */
  readonly sendReceive: number;
}

export interface AddPathCapability {
  readonly type: 'ADD_PATH';
  readonly afs: readonly AddPathAf[];
}

export const addPathCodec: CapabilityCodec<AddPathCapability> = {
  code: CapabilityCode.ADD_PATH,
  type: 'ADD_PATH',
  rfc: 'RFC 7911 s4',
  decode(b, start, end) {
    const len = end - start;
    if (len % 4 !== 0) return badLength(len, 'a multiple of 4');
    const afs: AddPathAf[] = [];
    for (let i = start; i < end; i += 4) afs.push({ afi: readU16(b, i), safi: b[i + 2]!, sendReceive: b[i + 3]! });
    return { type: 'ADD_PATH', afs };
  },
  encodeValue(c, w) {
    for (const af of c.afs) {
      w.u16(checkUint(af.afi, 0xffff, 'ADD_PATH AFI'));
      w.u8(checkUint(af.safi, 0xff, 'ADD_PATH SAFI'));
      w.u8(checkUint(af.sendReceive, 0xff, 'ADD_PATH Send/Receive'));
    }
  },
  toJson(c) {
    return {
      afs: c.afs.map((af) => ({
        afi: afiToJson(af.afi),
        safi: safiToJson(af.safi),
        sendReceive: ADD_PATH_SEND_RECEIVE_NAMES[af.sendReceive] ?? af.sendReceive,
      })),
    };
  },
  fromJson(j, path) {
    onlyKeys(j, ['type', 'afs'], path);
    const afs = expectArray(field(j, 'afs', path), `${path}.afs`).map((a, i): AddPathAf => {
      const p = `${path}.afs[${i}]`;
      const o = expectObject(a, p);
      onlyKeys(o, ['afi', 'safi', 'sendReceive'], p);
      return {
        afi: afiFromJson(field(o, 'afi', p), `${p}.afi`),
        safi: safiFromJson(field(o, 'safi', p), `${p}.safi`),
        sendReceive: namedFromJson(field(o, 'sendReceive', p), `${p}.sendReceive`, ADD_PATH_SEND_RECEIVE_NAMES, 0xff, 'Send/Receive'),
      };
    });
    return { type: 'ADD_PATH', afs };
  },
};
