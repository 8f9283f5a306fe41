/**
 * Reading the MetalLB YAML files named on the command line (tsbgp allocate, tsbgp speaker).
 * Owns no state.
 */
import { readFile } from 'node:fs/promises';
import type { YamlSource } from '../metallb/index.js';

/** The file contents, or the message naming the file that cannot be read. */
export async function readSources(files: readonly string[]): Promise<YamlSource[] | string> {
  const sources: YamlSource[] = [];
  for (const fileName of files) {
    try {
      sources.push({ text: await readFile(fileName, 'utf8'), fileName });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return `cannot read ${fileName}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`;
    }
  }
  return sources;
}

