// The file upload control (spec 17 §5.13.1): a file input that uploads at once
// (POST /_files/upload, part `file`), a chip with the file's name and size, Remove,
// a download link and an image thumbnail. The server wants the bearer token on file
// reads, which links and <img> cannot send, so both go through object URLs.
import { createResource, createSignal, onCleanup, Show } from "solid-js";
import { api, errorMessage, fetchBlob } from "../../lib/api";

export interface FileMeta {
  id: string;
  filename?: string;
  size?: number;
  mime_type?: string;
}

/** The look of a file input, in both themes. */
export const FILE_INPUT =
  "block w-full text-sm text-gray-700 file:mr-3 file:rounded-md file:border file:border-gray-300 file:bg-white file:px-2 file:py-1 file:text-sm dark:text-gray-300 dark:file:border-gray-600 dark:file:bg-gray-800 dark:file:text-gray-200";

const isMeta = (v: unknown): v is FileMeta => typeof v === "object" && v !== null && "id" in v;

/** An object URL for a file read with the token; revoked with the component. */
function useObjectUrl(path: () => string | undefined) {
  let url: string | undefined;
  const [src] = createResource(path, async (p) => {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(await fetchBlob(p));
    return url;
  });
  onCleanup(() => url && URL.revokeObjectURL(url));
  return src;
}

function Thumbnail(props: { meta: FileMeta }) {
  const src = useObjectUrl(() => `/_files/${props.meta.id}?thumb=64x64f`);
  return (
    <Show when={src.state === "ready" ? src() : undefined}>
      {(url) => (
        <img
          src={url()}
          alt={`Preview of ${props.meta.filename ?? props.meta.id}`}
          class="h-12 w-12 rounded border border-gray-200 object-contain dark:border-gray-700"
        />
      )}
    </Show>
  );
}

async function downloadFile(meta: FileMeta) {
  const url = URL.createObjectURL(await fetchBlob(`/_files/${meta.id}`));
  const a = document.createElement("a");
  a.href = url;
  a.download = meta.filename ?? meta.id;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Chip(props: { meta: FileMeta; onRemove: () => void }) {
  const [error, setError] = createSignal<string | null>(null);
  const name = () => props.meta.filename ?? props.meta.id;
  return (
    <div
      class="flex flex-wrap items-center gap-2 rounded-md border border-gray-200 bg-gray-50 px-2 py-1.5 text-sm dark:border-gray-700 dark:bg-gray-900/50"
      data-testid="file-chip"
    >
      <Show when={props.meta.mime_type?.startsWith("image/")}>
        <Thumbnail meta={props.meta} />
      </Show>
      <a
        class="link break-all"
        href={api.url(`/_files/${props.meta.id}`)}
        onClick={(e) => {
          e.preventDefault();
          setError(null);
          downloadFile(props.meta).catch((err) => setError(errorMessage(err, "Download failed")));
        }}
      >
        {name()} ({Math.round((props.meta.size ?? 0) / 1024)} KB)
      </a>
      <button type="button" class="link text-xs text-red-600 dark:text-red-400" onClick={() => props.onRemove()}>
        Remove
      </button>
      <Show when={error()}>
        <span class="text-xs text-red-600 dark:text-red-400">{error()}</span>
      </Show>
    </div>
  );
}

/** `value` is the field's file id ("" for none); `stored` is what the record held. */
export function FileUpload(props: { id: string; value: string; stored?: unknown; onChange: (id: string) => void; describedBy?: string }) {
  const [meta, setMeta] = createSignal<FileMeta | undefined>(isMeta(props.stored) ? props.stored : undefined);
  const [uploading, setUploading] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setUploading(true);
    setError(null);
    try {
      const res = await api.upload<FileMeta>(file);
      setMeta(res.data);
      props.onChange(res.data.id);
    } catch (e) {
      setError(errorMessage(e, "Upload failed"));
    } finally {
      setUploading(false);
      input.value = "";
    }
  };

  return (
    <div class="space-y-1.5">
      <Show when={props.value}>
        <Show
          when={meta()?.id === props.value ? meta() : undefined}
          fallback={
            <p class="text-sm">
              File ID: <span class="font-mono">{props.value}</span>
            </p>
          }
        >
          {(m) => <Chip meta={m()} onRemove={() => props.onChange("")} />}
        </Show>
      </Show>
      <input
        id={props.id}
        type="file"
        aria-describedby={props.describedBy}
        disabled={uploading()}
        class={FILE_INPUT}
        onChange={(e) => upload(e.currentTarget)}
      />
      <Show when={uploading()}>
        <p class="help">Uploading...</p>
      </Show>
      <Show when={error()}>
        <p class="text-xs text-red-600 dark:text-red-400" role="alert">
          {error()}
        </p>
      </Show>
    </div>
  );
}
