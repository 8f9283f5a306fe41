/** Loads test/vectors/bgp/*.json and builds each vector's codec context. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codecContext, type CodecContext } from '../../src/bgp/codec/context.js';

export interface VectorError {
  code: string;
  notification?: { code: number; subcode: number; data: string };
  offset?: number;
}

export interface Vector {
  file: string;
  name: string;
  source: string;
  hex: string;
  context?: { fourOctetAs?: boolean; addPath?: ('ipv4' | 'ipv6')[]; extendedMessage?: boolean; external?: boolean };
  decoded?: Record<string, unknown>;
  error?: VectorError;
}

export const VECTOR_DIR = new URL('../vectors/bgp/', import.meta.url).pathname;

/**
 * Every vector in `dir`, sorted by file name. With `prefix` (one or several file-name prefixes such
 * as `'keepalive-'`), only the files whose name starts with one of them.
 */
export function loadVectors(dir = VECTOR_DIR, prefix?: string | readonly string[]): Vector[] {
  const prefixes = prefix === undefined ? [''] : typeof prefix === 'string' ? [prefix] : prefix;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && prefixes.some((p) => f.startsWith(p)))
    .sort()
    .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Vector, 'file'>) }));
}

export function contextOf(v: Vector): CodecContext {
  const c = v.context ?? {};
  return codecContext({
    fourOctetAs: c.fourOctetAs ?? true,
    addPath: c.addPath ?? [],
    extendedMessage: c.extendedMessage ?? false,
    ...(c.external === undefined ? {} : { external: c.external }),
  });
}
