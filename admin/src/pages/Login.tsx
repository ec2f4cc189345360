// Platform login (spec 17 §5.1).
import { createSignal, Show } from "solid-js";
import { errorMessage, platform } from "../lib/api";
import { storeTokens } from "../lib/session";

export default function Login() {
  const [email, setEmail] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await platform.post<{ access_token: string; refresh_token: string }>("/auth/login", {
        email: email(),
        password: password(),
      });
      storeTokens(res.data.access_token, res.data.refresh_token);
      location.replace("/admin/apps");
    } catch (err) {
      setError(errorMessage(err, "Login failed. Please try again."));
      setBusy(false);
    }
  };

  return (
    <div class="flex min-h-screen items-center justify-center bg-gray-50 p-4 dark:bg-gray-900">
      <form class="card w-full max-w-sm p-6" onSubmit={submit}>
        <h1 class="text-center text-2xl font-semibold">🚀 Rocket Admin</h1>
        <p class="mt-1 mb-6 text-center text-sm text-gray-500">Sign in to your platform account</p>
        <Show when={error()}>
          <div role="alert" data-testid="error-banner" class="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-800 dark:bg-red-900/30 dark:text-red-300">
            {error()}
          </div>
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
          placeholder="platform@localhost"
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
      </form>
    </div>
  );
}
