/**
 * JSON form of UPDATE messages (docs/json.md): attributes by RFC name with their own fields,
 * prefixes as text, flags only when they differ from what the encoder would choose, RFC 7606
 * diagnostics as data. Diagnostics and `endOfRib` are informational: the encoder ignores them.
 */
import { ByteWriter } from '../codec/bytes.js';
import { DEFAULT_CONTEXT, type CodecContext } from '../codec/context.js';
import { defaultFlags } from '../codec/attributes/attribute-codec.js';
import { CODEC_BY_NAME, codecFor, type PathAttribute } from '../codec/attributes/path-attribute.js';
import { prefixListFromJson } from '../codec/attributes/mp-reach-nlri.js';
import { endOfRib, type UpdateMessage } from '../codec/update.js';
import type { UpdateDiagnostic } from '../codec/update-diagnostic.js';
import { afiToJson, safiToJson, bytesFromJson, bytesToJson, expectArray, expectInt, expectObject, expectString, jsonError, onlyKeys, type JsonObject } from './json-util.js';

/** Flags as JSON: "0x50". */
function flagsToJson(flags: number): string {
  return `0x${flags.toString(16).padStart(2, '0')}`;
}

function flagsFromJson(j: unknown, path: string): number {
  if (typeof j === 'number') return expectInt(j, path, 0, 255);
  const s = expectString(j, path);
  if (!/^0x[0-9a-fA-F]{1,2}$/.test(s)) throw jsonError(path, 'expected flags as "0x.." (one octet) or a number');
  return parseInt(s.slice(2), 16);
}

const scratch = new ByteWriter(4096);

function valueLength(a: PathAttribute, ctx: CodecContext): number {
  const codec = codecFor(a);
  if (codec === undefined) return (a as { value: Uint8Array }).value.length;
  scratch.reset();
  codec.encodeValue(a, scratch, ctx);
  return scratch.pos;
}

export function attributeToJson(a: PathAttribute, ctx: CodecContext = DEFAULT_CONTEXT): JsonObject {
  if (a.type === 'UNKNOWN') {
    return { type: 'UNKNOWN', typeCode: a.typeCode, flags: flagsToJson(a.flags), value: bytesToJson(a.value) };
  }
  const codec = codecFor(a)!;
  const out: JsonObject = { type: a.type };
  if (a.flags !== undefined && a.flags !== defaultFlags(codec.flags, valueLength(a, ctx))) out.flags = flagsToJson(a.flags);
  Object.assign(out, codec.toJson(a));
  return out;
}

export function attributeFromJson(j: unknown, path: string): PathAttribute {
  const o = expectObject(j, path);
  const type = expectString(o.type, `${path}.type`);
  const flags = o.flags === undefined ? undefined : flagsFromJson(o.flags, `${path}.flags`);
  if (type === 'UNKNOWN') {
    onlyKeys(o, ['type', 'typeCode', 'flags', 'value'], path);
    if (flags === undefined) throw jsonError(`${path}.flags`, 'is missing (an UNKNOWN attribute needs its flags)');
    return { type: 'UNKNOWN', typeCode: expectInt(o.typeCode, `${path}.typeCode`, 0, 255), flags, value: bytesFromJson(o.value, `${path}.value`) };
  }
  const codec = CODEC_BY_NAME.get(type);
  if (codec === undefined) throw jsonError(`${path}.type`, `unknown attribute type ${JSON.stringify(type)} (known: ${[...CODEC_BY_NAME.keys()].join(', ')}, UNKNOWN)`);
  const { type: _t, flags: _f, ...fields } = o;
  const a = codec.fromJson(fields, path) as PathAttribute;
  return flags === undefined ? a : ({ ...a, flags } as PathAttribute);
}

export function diagnosticToJson(d: UpdateDiagnostic): JsonObject {
  return {
    action: d.action,
    code: d.code,
    reason: d.reason,
    rfc: d.rfc,
    offset: d.offset,
    ...(d.attributeType === undefined ? {} : { attributeType: d.attributeType }),
    ...(d.notification ? { notification: { code: d.notification.code, subcode: d.notification.subcode, data: bytesToJson(d.notification.data) } } : {}),
  };
}

export function updateToJson(m: UpdateMessage, ctx: CodecContext = DEFAULT_CONTEXT): JsonObject {
  const out: JsonObject = {
    type: 'UPDATE',
    withdrawn: m.withdrawn.toJSON(),
    attributes: m.attributes.map((a) => attributeToJson(a, ctx)),
    nlri: m.nlri.toJSON(),
  };
  const eor = endOfRib(m);
  if (eor) out.endOfRib = `${afiToJson(eor.afi)}-${safiToJson(eor.safi)}`;
  if (m.diagnostics && m.diagnostics.length > 0) out.diagnostics = m.diagnostics.map(diagnosticToJson);
  return out;
}

export function updateFromJson(j: unknown, path = ''): UpdateMessage {
  const o = expectObject(j, path);
  onlyKeys(o, ['type', 'length', 'withdrawn', 'attributes', 'nlri', 'endOfRib', 'diagnostics'], path);
  const p = (k: string): string => (path ? `${path}.${k}` : k);
  const attributes = expectArray(o.attributes ?? [], p('attributes')).map((a, i) => attributeFromJson(a, `${p('attributes')}[${i}]`));
  return {
    type: 'UPDATE',
    withdrawn: prefixListFromJson(o.withdrawn ?? [], p('withdrawn'), 1),
    attributes,
    nlri: prefixListFromJson(o.nlri ?? [], p('nlri'), 1),
  };
}
