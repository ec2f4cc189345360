// The global shell (spec 17 §2.1–§2.3): sidebar with app switcher and grouped
// navigation, main column, status bar, toasts and the confirm host.
import { A, useLocation, useNavigate } from "@solidjs/router";
import { createSignal, For, JSX, Show } from "solid-js";
import { apps } from "../lib/apps";
import { activeRoute, APP_USER_NAV, NAV_GROUPS } from "../lib/nav";
import { accessToken, authBase, clearTokens, identity, isAppUser, refreshToken, selectApp, selectedApp } from "../lib/session";
import { cycleTheme, theme } from "../lib/theme";
import { ConfirmHost } from "./modal";
import { Toasts } from "./toast";

export const VERSION = "0.1.0";

export async function logout(navigate: (to: string, o?: { replace: boolean }) => void) {
  const token = refreshToken();
  if (token) {
    try {
      await fetch(`${authBase()}/auth/logout`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${accessToken()}` },
        body: JSON.stringify({ refresh_token: token }),
      });
    } catch {
      /* logging out locally matters; the server call is best effort (§3.7) */
    }
  }
  clearTokens();
  selectApp(null);
  navigate("/login", { replace: true });
}

function Sidebar(props: { collapsed: boolean; onToggle: () => void; mobileOpen: boolean; onNavigate: () => void }) {
  const navigate = useNavigate();
  const location = useLocation();
  const active = () => activeRoute(location.pathname);
  const who = identity;

  const switchApp = (value: string) => {
    if (value === "__manage__") {
      selectApp(null);
      navigate("/apps");
    } else if (value) {
      selectApp(value);
      // A full reload rebuilds every cached store for the new app (§2.2).
      location.pathname.startsWith("/admin/apps") ? navigate("/entities") : window.location.reload();
    }
  };

  return (
    <aside
      class={`fixed inset-y-0 left-0 z-40 flex flex-col bg-gray-900 text-gray-300 transition-all duration-200 ${
        props.collapsed ? "w-14" : "w-64"
      } ${props.mobileOpen ? "translate-x-0" : "-translate-x-full md:translate-x-0"}`}
      aria-label="Sidebar"
    >
      <div class="flex h-14 items-center justify-between border-b border-gray-800 px-3">
        <Show when={!props.collapsed}>
          <button
            class="truncate text-base font-semibold text-white"
            title="Back to Apps"
            onClick={() => {
              selectApp(null);
              navigate("/apps");
              props.onNavigate();
            }}
          >
            🚀 Rocket Admin
          </button>
        </Show>
        <button
          class="rounded p-1.5 hover:bg-gray-800"
          title={props.collapsed ? "Expand sidebar" : "Collapse sidebar"}
          aria-label={props.collapsed ? "Expand sidebar" : "Collapse sidebar"}
          onClick={props.onToggle}
        >
          ☰
        </button>
      </div>
      <Show when={!props.collapsed && isAppUser()}>
        <p class="border-b border-gray-800 p-3 text-xs text-gray-400">
          Signed in to app <strong class="text-gray-200">{selectedApp()}</strong>
        </p>
      </Show>
      <Show when={!props.collapsed && !isAppUser()}>
        <div class="border-b border-gray-800 p-3">
          <label class="sr-only" for="app-switcher">
            App
          </label>
          <select
            id="app-switcher"
            data-testid="app-switcher"
            class="w-full rounded-md border border-gray-700 bg-gray-800 px-2 py-1.5 text-sm text-gray-100"
            value={selectedApp() ?? ""}
            onChange={(e) => switchApp(e.currentTarget.value)}
          >
            <option value="" disabled>
              Select app...
            </option>
            <For each={apps()}>
              {(a) => (
                <option value={a.name} selected={a.name === selectedApp()}>
                  {a.display_name || a.name}
                </option>
              )}
            </For>
            <option value="__manage__">Manage Apps...</option>
          </select>
          <Show when={selectedApp()}>
            <p class="mt-2 truncate text-xs text-gray-400">
              Current app: <strong class="text-gray-200">{selectedApp()}</strong>
            </p>
          </Show>
        </div>
      </Show>
      <nav class="flex-1 overflow-y-auto py-2" aria-label="Main">
        <Show
          when={!isAppUser()}
          fallback={
            <For each={APP_USER_NAV}>
              {(item) => <NavLink item={item} active={active()} collapsed={props.collapsed} onNavigate={props.onNavigate} />}
            </For>
          }
        >
          <Show
            when={selectedApp()}
            fallback={
              <>
                <NavLink
                  item={{ label: "AI Generate", route: "/ai-generate", glyph: "✦" }}
                  active={active()}
                  collapsed={props.collapsed}
                  onNavigate={props.onNavigate}
                />
                <Show when={!props.collapsed}>
                  <p class="px-4 py-2 text-xs text-gray-500">Select an app to manage its resources.</p>
                </Show>
              </>
            }
          >
            <For each={NAV_GROUPS}>
              {(g) => (
                <div class="mb-1">
                  <Show when={g.title && !props.collapsed}>
                    <p class="px-4 pt-3 pb-1 text-[10px] font-semibold tracking-wider text-gray-500 uppercase">{g.title}</p>
                  </Show>
                  <For each={g.items}>
                    {(item) => <NavLink item={item} active={active()} collapsed={props.collapsed} onNavigate={props.onNavigate} />}
                  </For>
                </div>
              )}
            </For>
          </Show>
        </Show>
      </nav>
      <div class="border-t border-gray-800 p-3">
        <Show
          when={!props.collapsed}
          fallback={
            <button class="w-full rounded p-1.5 hover:bg-gray-800" title="Logout" aria-label="Logout" onClick={() => logout(navigate)}>
              ⎋
            </button>
          }
        >
          <p class="mb-2 truncate text-xs text-gray-400" title={who()} data-testid="identity">
            {who()}
          </p>
          <button class="btn btn-sm w-full bg-gray-800 text-gray-200 hover:bg-gray-700" onClick={() => logout(navigate)}>
            Logout
          </button>
        </Show>
      </div>
    </aside>
  );
}

function NavLink(props: {
  item: { label: string; route: string; glyph: string };
  active?: string;
  collapsed: boolean;
  onNavigate: () => void;
}) {
  const isActive = () => props.active === props.item.route;
  return (
    <A
      href={props.item.route}
      title={props.collapsed ? props.item.label : undefined}
      aria-current={isActive() ? "page" : undefined}
      onClick={props.onNavigate}
      class={`flex items-center gap-3 px-4 py-1.5 text-sm hover:bg-gray-800 hover:text-white ${
        isActive() ? "border-r-2 border-blue-500 bg-gray-800 text-white" : ""
      }`}
    >
      <span class="w-5 text-center" aria-hidden="true">
        {props.item.glyph}
      </span>
      <Show when={!props.collapsed}>
        <span class="truncate">{props.item.label}</span>
      </Show>
    </A>
  );
}

function StatusBar(props: { offset: string }) {
  const glyph = () => (theme() === "light" ? "☀" : theme() === "dark" ? "☾" : "◑");
  return (
    <footer
      class={`fixed right-0 bottom-0 z-30 flex h-7 items-center justify-between bg-gray-800 px-4 text-xs text-gray-300 transition-all duration-200 dark:bg-black ${props.offset}`}
    >
      <span>Rocket Admin v{VERSION}</span>
      <div class="flex items-center gap-3">
        <button
          title={`Theme: ${theme()}`}
          aria-label={`Theme: ${theme()}`}
          data-testid="theme-toggle"
          class="rounded px-1 hover:text-white"
          onClick={cycleTheme}
        >
          {glyph()}
        </button>
        <A
          href="/help"
          title="Help & Documentation"
          aria-label="Help & Documentation"
          class="flex h-5 w-5 items-center justify-center rounded-full border border-gray-500 hover:text-white"
        >
          ?
        </A>
      </div>
    </footer>
  );
}

export function Shell(props: { children?: JSX.Element }) {
  const [collapsed, setCollapsed] = createSignal(false);
  const [mobileOpen, setMobileOpen] = createSignal(false);
  const offset = () => (collapsed() ? "md:left-14" : "md:left-64") + " left-0";
  return (
    <div class="min-h-screen">
      <Sidebar
        collapsed={collapsed()}
        onToggle={() => setCollapsed(!collapsed())}
        mobileOpen={mobileOpen()}
        onNavigate={() => setMobileOpen(false)}
      />
      <Show when={mobileOpen()}>
        <div class="fixed inset-0 z-30 bg-black/40 md:hidden" onClick={() => setMobileOpen(false)} />
      </Show>
      <div class={`transition-all duration-200 ${collapsed() ? "md:ml-14" : "md:ml-64"}`}>
        <div class="flex h-12 items-center gap-2 border-b border-gray-200 bg-white px-4 md:hidden dark:border-gray-700 dark:bg-gray-800">
          <button class="btn btn-ghost btn-sm" aria-label="Open menu" onClick={() => setMobileOpen(true)}>
            ☰
          </button>
          <span class="font-semibold">Rocket Admin</span>
        </div>
        <main class="min-w-0 p-4 pb-12 md:p-8 md:pb-12">{props.children}</main>
      </div>
      <StatusBar offset={offset()} />
      <Toasts />
      <ConfirmHost />
    </div>
  );
}
