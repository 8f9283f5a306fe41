/** `npm run bench -- NAME`: runs one benchmark (codec, codec-libs, bfd, rib, locrib, fulltable). Each ends with one JSON line. */
const benches: Record<string, () => Promise<{ main: () => Promise<void> }>> = {
  codec: () => import('./codec.js'),
  'codec-libs': () => import('./codec-libs.js'),
  bfd: () => import('./bfd.js'),
  rib: () => import('./rib.js'),
  locrib: () => import('./loc-rib.js'),
  fulltable: () => import('./fulltable.js'),
};

const name = process.argv[2] ?? 'codec';
const load = benches[name];
if (!load) {
  console.error(`unknown bench ${JSON.stringify(name)}; available: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
await (await load()).main();
