// The sidebar navigation of spec 17 §2.2, in its exact order, with the
// recommended group headings.
export interface NavItem {
  label: string;
  route: string;
  glyph: string;
}

export const NAV_GROUPS: { title: string; items: NavItem[] }[] = [
  { title: "", items: [{ label: "Overview", route: "/dashboard", glyph: "◈" }] },
  {
    title: "Schema",
    items: [
      { label: "Entities", route: "/entities", glyph: "□" },
      { label: "Relations", route: "/relations", glyph: "⇄" },
      { label: "ERD", route: "/erd", glyph: "⬡" },
    ],
  },
  {
    title: "Logic",
    items: [
      { label: "Rules", route: "/rules", glyph: "✓" },
      { label: "State Machines", route: "/state-machines", glyph: "⇆" },
      { label: "Workflows", route: "/workflows", glyph: "⟳" },
      { label: "Workflow Monitor", route: "/workflow-monitor", glyph: "▶" },
    ],
  },
  {
    title: "Data",
    items: [
      { label: "Data Browser", route: "/data", glyph: "▤" },
      { label: "API Playground", route: "/playground", glyph: "▷" },
      { label: "AI Generate", route: "/ai-generate", glyph: "✦" },
    ],
  },
  {
    title: "Access",
    items: [
      { label: "Users", route: "/users", glyph: "👤" },
      { label: "Invites", route: "/invites", glyph: "✉" },
      { label: "Permissions", route: "/permissions", glyph: "🔒" },
    ],
  },
  {
    title: "Integrations",
    items: [
      { label: "Webhooks", route: "/webhooks", glyph: "🔗" },
      { label: "Webhook Logs", route: "/webhook-logs", glyph: "📋" },
    ],
  },
  { title: "Client", items: [{ label: "UI Configs", route: "/ui-configs", glyph: "🎨" }] },
  {
    title: "Observability",
    items: [
      { label: "Events", route: "/events", glyph: "⚡" },
      { label: "Event Stats", route: "/events/stats", glyph: "📊" },
    ],
  },
];

/** An app user's screens: the API does the rest of the access control. */
export const APP_USER_NAV: NavItem[] = [
  { label: "Data Browser", route: "/data", glyph: "▤" },
  { label: "API Playground", route: "/playground", glyph: "▷" },
];

/** Paths an app-user session may open (everything else needs an admin). */
export function isAppUserPath(path: string): boolean {
  return /^\/admin\/(data|playground|help)(\/|$)/.test(path);
}

const ALL = NAV_GROUPS.flatMap((g) => g.items);

/** The one active route: the longest prefix of the path (fixes §10.3). */
export function activeRoute(path: string): string | undefined {
  const rel = path.replace(/^\/admin/, "") || "/";
  return ALL.filter((i) => rel === i.route || rel.startsWith(`${i.route}/`)).sort((a, b) => b.route.length - a.route.length)[0]?.route;
}

/** Paths usable without a selected app (§3.5). */
export function isAppFree(path: string): boolean {
  return (
    path === "/admin" ||
    path === "/admin/" ||
    path === "/admin/apps" ||
    path === "/admin/ai-generate" ||
    path === "/admin/help" ||
    path.startsWith("/admin/help/")
  );
}
