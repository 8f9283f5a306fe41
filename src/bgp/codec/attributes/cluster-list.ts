/**
 * CLUSTER_LIST (type 10, RFC 4456 s8): optional non-transitive, the CLUSTER_IDs (4 octets
 * each, dotted quads here) of the reflection path, most recent first.
 * Owns the value's codec and JSON form only; loop checks against the local CLUSTER_ID belong
 * to the route reflection logic, the header and flags check to the UPDATE codec.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectArray, field, ipv4FromJson, jsonError, jsonPath } from '../../json/json-util.js';
import { formatIpv4, parseIpv4 } from '../../prefix/address.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface ClusterListAttribute {
  readonly type: 'CLUSTER_LIST';
  readonly flags?: number | undefined;
  /** CLUSTER_IDs, dotted quads, in wire order; at least one. */
  readonly clusterList: readonly string[];
}

export const clusterListCodec: AttributeCodec<ClusterListAttribute> = {
  typeCode: AttributeType.CLUSTER_LIST,
  type: 'CLUSTER_LIST',
  flags: AttributeFlag.OPTIONAL,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.10',

  decode(b, start, end, flags) {
    const len = end - start;
    if (len === 0 || (len & 3) !== 0) {
      return new Malformed(`CLUSTER_LIST length ${len} is ${len === 0 ? 'zero' : 'not a multiple of 4'}`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    }
    const clusterList: string[] = new Array(len >> 2);
    for (let i = 0, p = start; p < end; i++, p += 4) clusterList[i] = formatIpv4(readU32(b, p));
    return { type: 'CLUSTER_LIST', flags, clusterList };
  },

  encodeValue(a, w) {
    if (a.clusterList.length === 0) {
      throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', 'CLUSTER_LIST needs at least one CLUSTER_ID (an empty one is malformed)', { rfc: 'RFC 7606 s7.10' });
    }
    for (const id of a.clusterList) {
      w.u32(parseIpv4(id));
    }
  },

  toJson(a) {
    return { clusterList: [...a.clusterList] };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'CLUSTER_LIST', ['clusterList'], path);
    const p = jsonPath(path, 'clusterList');
    const list = expectArray(field(o, 'clusterList', path), p);
    if (list.length === 0) throw jsonError(p, 'needs at least one CLUSTER_ID (RFC 7606 s7.10)');
    return { type: 'CLUSTER_LIST', clusterList: list.map((x, i) => ipv4FromJson(x, jsonPath(p, i))) };
  },
};
