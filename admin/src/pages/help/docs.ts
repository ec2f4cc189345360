// The repository's docs/*.md as help content (spec 17 §5.25): each document is
// bundled as its own lazily loaded chunk, and a topic picks sections by heading.

/** A part of a document: the whole of it (no heading), or the section under `heading`. */
export interface Source {
  doc: string;
  heading?: string;
  /** Only the section's text before its first sub-heading (the document's preamble without a heading). */
  intro?: boolean;
}

// The documents the topics use (topics.ts); each one becomes its own chunk.
const loaders = import.meta.glob<string>(
  "../../../../docs/{api,cli,configuration,files,getting-started,logic,observability,security,webhooks}.md",
  { query: "?raw", import: "default" },
);
const byName = new Map(Object.entries(loaders).map(([path, load]) => [path.replace(/^.*\/(.*)\.md$/, "$1"), load]));

const cache = new Map<string, Promise<string>>();
function loadDoc(doc: string): Promise<string> {
  const load = byName.get(doc);
  if (!load) return Promise.reject(new Error(`docs/${doc}.md is not bundled`));
  if (!cache.has(doc)) cache.set(doc, load());
  return cache.get(doc)!;
}

/** GitHub's heading anchor: lower case, punctuation dropped, each space a hyphen. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

interface Heading {
  line: number;
  level: number;
  text: string;
}

/** ATX headings outside fenced code blocks. */
function headings(lines: string[]): Heading[] {
  const out: Heading[] = [];
  let fence = false;
  lines.forEach((l, line) => {
    if (/^\s*(```|~~~)/.test(l)) fence = !fence;
    const m = !fence && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l);
    if (m) out.push({ line, level: m[1].length, text: m[2] });
  });
  return out;
}

/** The lines of `src`, with headings moved so that the section's own heading is an h2. */
function extract(text: string, src: Source): string {
  const lines = text.split("\n");
  const hs = headings(lines);
  let from: number, to: number, level: number;
  if (!src.heading) {
    // The document without its title; its preamble only when `intro`.
    const title = hs.find((h) => h.level === 1);
    from = title ? title.line + 1 : 0;
    to = src.intro ? (hs.find((h) => h.level > 1)?.line ?? lines.length) : lines.length;
    level = 2;
  } else {
    const i = hs.findIndex((h) => h.text === src.heading);
    if (i < 0) throw new Error(`docs/${src.doc}.md has no heading "${src.heading}"`);
    const h = hs[i];
    const end = hs.slice(i + 1).find((n) => (src.intro ? true : n.level <= h.level));
    from = h.line;
    to = end?.line ?? lines.length;
    level = h.level;
  }
  const shift = level - 2;
  const ownHeadings = new Set(hs.map((h) => h.line));
  return lines
    .slice(from, to)
    .map((l, k) =>
      shift && ownHeadings.has(from + k) ? l.replace(/^#+/, (m) => "#".repeat(Math.min(6, Math.max(2, m.length - shift)))) : l,
    )
    .join("\n");
}

/** The markdown of one source. */
export async function sourceMarkdown(src: Source): Promise<string> {
  return extract(await loadDoc(src.doc), src);
}
