// After `vite build`: writes a gzip companion (`x.gz`) next to every compressible file in dist/,
// which parley-server sends to clients that accept gzip, and prints the bundle sizes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const compressible = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const rows = [];
const total = { js: [0, 0], css: [0, 0], html: [0, 0] };
for (const file of walk(dist)) {
  if (file.endsWith('.gz') || !compressible.test(file)) continue;
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
  if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz);
  const ext = path.extname(file).slice(1);
  if (total[ext]) { total[ext][0] += raw.length; total[ext][1] += gz.length; }
  rows.push([path.relative(dist, file), raw.length, gz.length]);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const [name, raw, gz] of rows.sort((a, b) => b[1] - a[1])) {
  console.log(`${name.padEnd(40)} ${kb(raw).padStart(11)}  gzip ${kb(gz).padStart(10)}`);
}
for (const [ext, [raw, gz]] of Object.entries(total)) {
  if (raw) console.log(`total ${ext.padEnd(34)} ${kb(raw).padStart(11)}  gzip ${kb(gz).padStart(10)}`);
}
