// Platform login (spec 17 §5.1).
import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { ApiError, errorMessage, platform } from "../lib/api";
import { rememberEmail, startAppSession, storeTokens } from "../lib/session";

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/** An app user's sign in, through the app's own login (spec 11 §2). */
async function appLogin(app: string, email: string, password: string): Promise<TokenPair> {
  const res = await fetch(`/api/${encodeURIComponent(app)}/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? "", body?.error?.message ?? "");
  return body.data;
}

export default function Login() {
  const navigate = useNavigate();
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  // Empty: a platform sign in (the admin). Set: an app user of that app.
  const [asAppUser, setAsAppUser] = createSignal(false);
  const [app, setApp] = createSignal("");

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (asAppUser()) {
        const t = await appLogin(app().trim(), email(), password());
        startAppSession(app().trim(), t.access_token, t.refresh_token);
        rememberEmail(email());
        navigate("/data", { replace: true });
        return;
      }
      const res = await platform.post<TokenPair>("/auth/login", { email: email(), password: password() });
      storeTokens(res.data.access_token, res.data.refresh_token);
      rememberEmail(email());
      navigate("/apps", { replace: true });
    } catch (err) {
      setError(errorMessage(err, "Login failed. Please try again."));
      setBusy(false);
    }
  };

  return (
    <div class="flex min-h-screen items-center justify-center bg-gray-50 p-4 dark:bg-gray-900">
      <form class="card w-full max-w-sm p-6" onSubmit={submit}>
        <h1 class="text-center text-2xl font-semibold">🚀 Rocket Admin</h1>
        <p class="mt-1 mb-6 text-center text-sm text-gray-500">
          {asAppUser() ? "Sign in as a user of one app" : "Sign in to your platform account"}
        </p>
        <Show when={error()}>
          <div
            role="alert"
            data-testid="error-banner"
            class="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-800 dark:bg-red-900/30 dark:text-red-300"
          >
            {error()}
          </div>
        </Show>
        <Show when={asAppUser()}>
          <label class="label" for="login-app">
            App
          </label>
          <input
            id="login-app"
            required
            class="input mb-4"
            placeholder="e.g. timesheet"
            value={app()}
            onInput={(e) => setApp(e.currentTarget.value)}
          />
        </Show>
        <label class="label" for="login-email">
          Email
        </label>
        <input
          id="login-email"
          type="email"
          required
          autocomplete="username"
          class="input mb-4"
          placeholder={asAppUser() ? "user@example.com" : "platform@localhost"}
          value={email()}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
        <label class="label" for="login-password">
          Password
        </label>
        <input
          id="login-password"
          type="password"
          required
          autocomplete="current-password"
          class="input mb-6"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" class="btn btn-primary w-full" disabled={busy()}>
          {busy() ? "Signing in..." : "Sign in"}
        </button>
        <button
          type="button"
          class="link mt-4 block w-full text-center text-xs"
          onClick={() => {
            setAsAppUser(!asAppUser());
            setError(null);
          }}
        >
          {asAppUser() ? "Sign in as a platform admin instead" : "Sign in as an app user instead"}
        </button>
      </form>
    </div>
  );
}
