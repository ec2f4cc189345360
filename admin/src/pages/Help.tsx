// Help & Documentation (spec 17 §5.25): the topic index grouped by category, and topic
// pages with a left navigation, breadcrumb, content from docs/*.md and prev/next links.
import { A, useLocation, useParams } from "@solidjs/router";
import { createEffect, createResource, For, Show } from "solid-js";
import { ErrorBanner, Loading, PageHeader } from "../components/ui";
import { sourceMarkdown } from "./help/docs";
import { Markdown, Part } from "./help/Markdown";
import { CATEGORIES, Topic, topicBySlug, TOPICS } from "./help/topics";

export default function Help() {
  const params = useParams<{ topic?: string }>();
  return (
    <Show when={params.topic} fallback={<HelpIndex />}>
      {(slug) => (
        <Show when={topicBySlug(slug())} fallback={<NotFound />}>
          {(topic) => <TopicPage topic={topic()} />}
        </Show>
      )}
    </Show>
  );
}

function HelpIndex() {
  return (
    <div>
      <PageHeader title="Help & Documentation" subtitle="Guides to building databases, business rules, workflows and more with Rocket" />
      <For each={CATEGORIES}>
        {(category) => (
          <section class="mb-8" aria-labelledby={`help-${category}`}>
            <h2 id={`help-${category}`} class="section-title">
              {category}
            </h2>
            <div class="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3">
              <For each={TOPICS.filter((t) => t.category === category)}>
                {(t) => (
                  <A
                    href={`/help/${t.slug}`}
                    class="card flex items-start gap-3 p-4 transition-colors hover:border-blue-400 dark:hover:border-blue-500"
                  >
                    <span class="text-2xl leading-none" aria-hidden="true">
                      {t.glyph}
                    </span>
                    <span class="min-w-0">
                      <span class="block font-medium text-gray-900 dark:text-gray-100">{t.title}</span>
                      <span class="mt-0.5 block text-xs text-gray-500 dark:text-gray-400">{t.subtitle}</span>
                    </span>
                  </A>
                )}
              </For>
            </div>
          </section>
        )}
      </For>
    </div>
  );
}

function NotFound() {
  return (
    <div class="card p-8 text-center text-sm text-gray-600 dark:text-gray-300">
      Topic not found.{" "}
      <A href="/help" class="link">
        Back to Help
      </A>
    </div>
  );
}

function TopicNav(props: { current: Topic }) {
  return (
    <ul class="space-y-0.5 text-sm">
      <For each={TOPICS}>
        {(t) => (
          <li>
            <A
              href={`/help/${t.slug}`}
              aria-current={t === props.current ? "page" : undefined}
              class={`flex items-center gap-2 rounded-md px-2 py-1.5 ${
                t === props.current
                  ? "bg-blue-50 font-medium text-blue-700 dark:bg-blue-500/15 dark:text-blue-300"
                  : "text-gray-700 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-800"
              }`}
            >
              <span class="w-5 text-center" aria-hidden="true">
                {t.glyph}
              </span>
              {t.title}
            </A>
          </li>
        )}
      </For>
    </ul>
  );
}

function TopicPage(props: { topic: Topic }) {
  const location = useLocation();
  const [parts] = createResource(
    () => props.topic,
    async (t): Promise<Part[]> => {
      const sections = await Promise.all(t.sources.map(async (s) => ({ doc: s.doc, markdown: await sourceMarkdown(s) })));
      return [{ doc: "", markdown: t.lead }, ...sections];
    },
  );
  const index = () => TOPICS.indexOf(props.topic);
  const prev = () => TOPICS[index() - 1];
  const next = () => TOPICS[index() + 1];

  // A new topic starts at its top, or at the anchor a link named.
  createEffect(() => {
    if (!parts() || parts.loading) return;
    const hash = decodeURIComponent(location.hash.slice(1));
    const el = hash ? document.getElementById(hash) : null;
    el ? el.scrollIntoView() : window.scrollTo(0, 0);
  });

  return (
    <div class="flex gap-8">
      <nav class="hidden w-56 shrink-0 lg:block" aria-label="Help topics">
        <div class="sticky top-4">
          <TopicNav current={props.topic} />
        </div>
      </nav>
      <article class="min-w-0 flex-1">
        <nav class="mb-3 text-sm text-gray-500 dark:text-gray-400" aria-label="Breadcrumb">
          <A href="/help" class="link">
            Help
          </A>{" "}
          / <span aria-current="page">{props.topic.title}</span>
        </nav>
        <details class="card mb-4 p-3 lg:hidden">
          <summary class="cursor-pointer text-sm font-medium">All topics</summary>
          <div class="mt-2">
            <TopicNav current={props.topic} />
          </div>
        </details>
        <PageHeader title={props.topic.title} subtitle={props.topic.subtitle} />
        <Show when={!parts.error} fallback={<ErrorBanner message="Failed to load this topic." />}>
          <Show when={parts()} fallback={<Loading />}>
            {(p) => <Markdown topic={props.topic} parts={p()} />}
          </Show>
        </Show>
        <nav
          class="mt-10 flex flex-wrap justify-between gap-3 border-t border-gray-200 pt-4 text-sm dark:border-gray-700"
          aria-label="Previous and next topic"
        >
          <span>
            <Show when={prev()}>
              <A href={`/help/${prev()!.slug}`} class="link">
                ← {prev()!.title}
              </A>
            </Show>
          </span>
          <span>
            <Show when={next()}>
              <A href={`/help/${next()!.slug}`} class="link">
                {next()!.title} →
              </A>
            </Show>
          </span>
        </nav>
      </article>
    </div>
  );
}
