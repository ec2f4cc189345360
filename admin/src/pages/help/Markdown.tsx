// Help content rendered from markdown (spec 17 §5.25 building blocks): code blocks
// with a language label, optional title and "Copy" ("Copied!" for 1.5 s), Tip /
// Warning / Note / Important boxes, scrollable property tables, anchored headings,
// HTTP verbs as coloured badges, and links of the docs turned into help links.
import { Marked, Tokens } from "marked";
import { createEffect } from "solid-js";
import { copyText } from "../../components/CopyButton";
import { toast } from "../../components/toast";
import { slugify } from "./docs";
import { helpHref, Topic } from "./topics";
import "./help.css";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const BOXES = ["tip", "warning", "note", "important"] as const;

/** A marked instance whose links resolve against `topic`'s document `doc`. */
function renderer(topic: Topic) {
  let doc = "";
  const marked = new Marked({
    gfm: true,
    renderer: {
      heading({ tokens, depth, text }: Tokens.Heading) {
        return `<h${depth} id="${slugify(text)}">${this.parser.parseInline(tokens)}</h${depth}>`;
      },
      code({ text, lang }: Tokens.Code) {
        const [language, ...title] = (lang ?? "").trim().split(/\s+/);
        return `<figure class="help-code">
<figcaption><span class="help-code-lang">${escapeHtml(language || "text")}</span>${
          title.length ? `<span class="help-code-title">${escapeHtml(title.join(" "))}</span>` : ""
        }<button type="button" class="btn btn-ghost btn-sm" data-copy>Copy</button></figcaption>
<pre><code>${escapeHtml(text)}</code></pre></figure>`;
      },
      blockquote({ tokens }: Tokens.Blockquote) {
        let body = this.parser.parse(tokens);
        let kind: (typeof BOXES)[number] = "note";
        body = body.replace(/^<p>\[!(TIP|WARNING|NOTE|IMPORTANT)\]\s*/i, (_, k: string) => {
          kind = k.toLowerCase() as typeof kind;
          return "<p>";
        });
        const title = kind[0].toUpperCase() + kind.slice(1);
        return `<aside class="help-box help-box-${kind}" role="note" aria-label="${title}"><p class="help-box-title">${title}</p>${body}</aside>`;
      },
      link({ href, tokens }: Tokens.Link) {
        const text = this.parser.parseInline(tokens);
        if (/^https?:/.test(href))
          return `<a class="link" href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${text}</a>`;
        const m = /^(?:([\w-]+)\.md)?(?:#(.*))?$/.exec(href);
        const target = m ? helpHref(m[1] ?? doc, m[2] ?? "", topic) : undefined;
        if (target) return `<a class="link" href="${escapeHtml(target)}">${text}</a>`;
        // A document the help does not show: name the file in the repository.
        return m?.[1] ? `${text} <span class="muted">(docs/${escapeHtml(m[1])}.md)</span>` : text;
      },
    },
  });
  return {
    render(markdown: string, fromDoc: string) {
      doc = fromDoc;
      return marked.parse(markdown, { async: false }) as string;
    },
  };
}

export interface Part {
  doc: string;
  markdown: string;
}

const VERB = /^(GET|POST|PUT|PATCH|DELETE)$/;
const VERB_CLASS: Record<string, string> = {
  GET: "help-verb-get",
  POST: "help-verb-post",
  PUT: "help-verb-put",
  PATCH: "help-verb-put",
  DELETE: "help-verb-delete",
};

/** Endpoint lines: a table cell holding only a verb becomes a coloured badge; tables scroll in their box. */
function decorate(root: HTMLElement) {
  root.querySelectorAll("td").forEach((td) => {
    const verb = td.textContent?.trim() ?? "";
    if (VERB.test(verb)) td.innerHTML = `<span class="help-verb ${VERB_CLASS[verb]}">${verb}</span>`;
  });
  root.querySelectorAll("table").forEach((t) => {
    const box = document.createElement("div");
    box.className = "help-table";
    t.replaceWith(box);
    box.appendChild(t);
  });
}

async function onCopy(e: MouseEvent) {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>("[data-copy]");
  const code = button?.closest("figure")?.querySelector("code");
  if (!button || !code) return;
  try {
    await copyText(code.textContent ?? "");
    button.textContent = "Copied!";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  } catch {
    toast.error("Could not copy to the clipboard");
  }
}

/** The parts of a topic (its lead, then its docs' sections), rendered. */
export function Markdown(props: { topic: Topic; parts: Part[] }) {
  let root!: HTMLDivElement;
  createEffect(() => {
    const r = renderer(props.topic);
    root.innerHTML = props.parts.map((p) => r.render(p.markdown, p.doc)).join("\n");
    decorate(root);
  });
  return <div ref={root} class="help-content" data-testid="help-content" onClick={onCopy} />;
}
