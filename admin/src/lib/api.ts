// The HTTP client (spec 17 §3.3–§3.4): platform calls under /api/_platform, app calls
// under /api/{app}, the bearer token on each, one silent refresh on a 401, and the
// error envelope of spec 06 turned into an ApiError.
import { accessToken, authBase, clearTokens, refreshToken, selectedApp, storeTokens } from "./session";

export interface ErrorDetail {
  field?: string;
  rule?: string;
  message?: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** The message to show for an error: the API's, or the page's fallback (§2.5). */
export function errorMessage(e: unknown, fallback: string): string {
  if (e instanceof ApiError && e.message) return e.message;
  return fallback;
}

/** The message plus `field: message` details, joined (entity editor, record editor). */
export function errorWithDetails(e: unknown, fallback: string, sep = "; "): string {
  if (!(e instanceof ApiError)) return fallback;
  const details = e.details
    .filter((d) => d.message)
    .map((d) => (d.field ? `${d.field}: ${d.message}` : d.message))
    .join(sep);
  return details ? `${e.message}: ${details}` : e.message || fallback;
}

export interface ListMeta {
  page?: number;
  per_page?: number;
  total?: number;
}

export interface Envelope<T> {
  data: T;
  meta?: ListMeta;
  pagination?: ListMeta;
}

type Body = unknown;

let refreshing: Promise<boolean> | null = null;

async function refresh(): Promise<boolean> {
  const token = refreshToken();
  if (!token) return false;
  refreshing ??= (async () => {
    try {
      const res = await fetch(`${authBase()}/auth/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
      if (!res.ok) return false;
      const body = await res.json();
      storeTokens(body.data.access_token, body.data.refresh_token);
      return true;
    } catch {
      return false;
    } finally {
      setTimeout(() => (refreshing = null), 0);
    }
  })();
  return refreshing;
}

function logoutHard() {
  clearTokens();
  if (!location.pathname.startsWith("/admin/login")) location.replace("/admin/login");
}

async function parseError(res: Response): Promise<ApiError> {
  let body: any = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: the caller's fallback message is shown */
  }
  const err = body?.error;
  if (err && typeof err === "object") {
    return new ApiError(res.status, err.code ?? "", err.message ?? "", Array.isArray(err.details) ? err.details : []);
  }
  return new ApiError(res.status, "", "");
}

async function send(url: string, init: RequestInit, retried = false): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = accessToken();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const res = await fetch(url, { ...init, headers });
  if (res.status === 401 && !url.includes("/auth/")) {
    if (!retried && (await refresh())) return send(url, init, true);
    logoutHard();
  }
  return res;
}

async function request<T>(url: string, method: string, body?: Body): Promise<Envelope<T>> {
  const init: RequestInit = { method };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  let res: Response;
  try {
    res = await send(url, init);
  } catch (e) {
    throw new ApiError(0, "NETWORK", `Network error: ${(e as Error).message}`);
  }
  if (!res.ok) throw await parseError(res);
  if (res.status === 204) return { data: undefined as T };
  const text = await res.text();
  return text ? JSON.parse(text) : { data: undefined as T };
}

function appBase(): string {
  const a = selectedApp();
  return a ? `/api/${encodeURIComponent(a)}` : "/api";
}

/** Calls under `/api/_platform`. */
export const platform = {
  get: <T>(path: string) => request<T>(`/api/_platform${path}`, "GET"),
  post: <T>(path: string, body: Body = {}) => request<T>(`/api/_platform${path}`, "POST", body),
  put: <T>(path: string, body: Body) => request<T>(`/api/_platform${path}`, "PUT", body),
  del: <T>(path: string) => request<T>(`/api/_platform${path}`, "DELETE"),
};

/** Calls under `/api/{selectedApp}`. */
export const api = {
  get: <T>(path: string) => request<T>(`${appBase()}${path}`, "GET"),
  post: <T>(path: string, body: Body = {}) => request<T>(`${appBase()}${path}`, "POST", body),
  put: <T>(path: string, body: Body) => request<T>(`${appBase()}${path}`, "PUT", body),
  del: <T>(path: string) => request<T>(`${appBase()}${path}`, "DELETE"),
  /** `POST /_files/upload` with one multipart part named `file` (§3.3). */
  upload: <T>(file: File) => {
    const form = new FormData();
    form.append("file", file);
    return request<T>(`${appBase()}/_files/upload`, "POST", form);
  },
  /** A URL under the app, for links (downloads). */
  url: (path: string) => `${appBase()}${path}`,
};

/**
 * `GET` under the app with the bearer token, as a Blob: links and `<img src>` cannot
 * carry the token (docs/files.md), so files are shown through object URLs.
 */
export async function fetchBlob(path: string): Promise<Blob> {
  let res: Response;
  try {
    res = await send(`${appBase()}${path}`, { method: "GET" });
  } catch (e) {
    throw new ApiError(0, "NETWORK", `Network error: ${(e as Error).message}`);
  }
  if (!res.ok) throw await parseError(res);
  return res.blob();
}

export interface RawResponse {
  status: number;
  statusText: string;
  ms: number;
  headers: [string, string][];
  body: string;
}

/** A raw request for the API playground (§5.14): never throws on non-2xx, never logs out. */
export async function raw(method: string, path: string, body?: string): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  const token = accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const start = performance.now();
  const res = await fetch(`${appBase()}${path}`, { method, headers, body });
  const text = await res.text();
  return {
    status: res.status,
    statusText: res.statusText,
    ms: Math.round(performance.now() - start),
    headers: [...res.headers.entries()],
    body: text,
  };
}

/** Builds `?a=1&b=2` from the non-empty entries (every component URL-encoded). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

/** Accepts a JSON-encoded string where an object is expected (§7 last paragraph). */
export function asObject<T = any>(v: unknown): T {
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return v as T;
    }
  }
  return v as T;
}
