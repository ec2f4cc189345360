// Writes a gzip sibling (`X.gz`) next to every compressible file of dist/ so the
// server can answer `Accept-Encoding: gzip` without compressing at run time, and
// prints the first-load size (index.html plus the assets it references).
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync, constants } from "node:zlib";

const dist = new URL("../dist/", import.meta.url).pathname;
const compressible = /\.(js|css|html|svg|json|txt)$/;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sizes = new Map();
for (const path of walk(dist)) {
  if (!compressible.test(path)) continue;
  // Fixed level and no mtime in the header: the output is byte-identical on
  // every build, which the CI check `git diff --exit-code admin/dist` needs.
  const gz = gzipSync(readFileSync(path), { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${path}.gz`, gz);
  sizes.set(relative(dist, path), gz.length);
}

const index = readFileSync(join(dist, "index.html"), "utf8");
const firstLoad = ["index.html", ...[...index.matchAll(/(?:src|href)="\/admin\/([^"]+)"/g)].map((m) => m[1])];
let total = 0;
for (const file of firstLoad) total += sizes.get(file) ?? 0;
const all = [...sizes.entries()].filter(([f]) => f.endsWith(".js") || f.endsWith(".css")).reduce((n, [, s]) => n + s, 0);
console.log(`admin bundle: first load ${(total / 1024).toFixed(1)} kB gzip (${firstLoad.length} files), all js+css ${(all / 1024).toFixed(1)} kB gzip`);
