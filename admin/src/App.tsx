// Routes (spec 17 §4) and the route guard (§3.5). Every page but login and apps is
// loaded lazily, so the first load carries only the shell.
import { Navigate, Route, Router, useLocation, useNavigate } from "@solidjs/router";
import { createEffect, JSX, lazy, Show } from "solid-js";
import { Shell } from "./components/Shell";
import { isAppFree, isAppUserPath } from "./lib/nav";
import { isAppUser, isAuthenticated, selectedApp } from "./lib/session";
import Login from "./pages/Login";
import Apps from "./pages/Apps";

const page = (load: () => Promise<{ default: () => JSX.Element }>) => lazy(load);

const Dashboard = page(() => import("./pages/Dashboard"));
const Entities = page(() => import("./pages/Entities"));
const EntityEditor = page(() => import("./pages/EntityEditor"));
const Relations = page(() => import("./pages/Relations"));
const Erd = page(() => import("./pages/Erd"));
const Rules = page(() => import("./pages/Rules"));
const StateMachines = page(() => import("./pages/StateMachines"));
const Workflows = page(() => import("./pages/Workflows"));
const WorkflowMonitor = page(() => import("./pages/WorkflowMonitor"));
const DataBrowser = page(() => import("./pages/DataBrowser"));
const Playground = page(() => import("./pages/Playground"));
const AiGenerate = page(() => import("./pages/AiGenerate"));
const Users = page(() => import("./pages/Users"));
const Invites = page(() => import("./pages/Invites"));
const Permissions = page(() => import("./pages/Permissions"));
const Webhooks = page(() => import("./pages/Webhooks"));
const WebhookLogs = page(() => import("./pages/WebhookLogs"));
const UiConfigs = page(() => import("./pages/UiConfigs"));
const Events = page(() => import("./pages/Events"));
const Trace = page(() => import("./pages/Trace"));
const EventStats = page(() => import("./pages/EventStats"));
const Help = page(() => import("./pages/Help"));

/** The guard of §3.5, evaluated on every navigation and auth/app change. */
function Guarded(props: { children?: JSX.Element }) {
  const location = useLocation();
  const navigate = useNavigate();
  createEffect(() => {
    const path = location.pathname;
    if (path.startsWith("/admin/login")) {
      if (isAuthenticated()) navigate(isAppUser() ? "/data" : "/apps", { replace: true });
    } else if (!isAuthenticated()) {
      navigate("/login", { replace: true });
    } else if (isAppUser() && !isAppUserPath(path)) {
      navigate("/data", { replace: true });
    } else if (!selectedApp() && !isAppFree(path)) {
      navigate("/apps", { replace: true });
    }
  });
  return (
    <Show when={!location.pathname.startsWith("/admin/login")} fallback={props.children}>
      <Show when={isAuthenticated()}>
        <Shell>{props.children}</Shell>
      </Show>
    </Show>
  );
}

export default function App() {
  return (
    <Router base="/admin" root={Guarded}>
      <Route path="/login" component={Login} />
      <Route path="/" component={() => <Navigate href="/apps" />} />
      <Route path="/apps" component={Apps} />
      <Route path="/dashboard" component={Dashboard} />
      <Route path="/entities" component={Entities} />
      <Route path="/entities/new" component={EntityEditor} />
      <Route path="/entities/:name" component={EntityEditor} />
      <Route path="/relations" component={Relations} />
      <Route path="/erd" component={Erd} />
      <Route path="/rules" component={Rules} />
      <Route path={["/state-machines", "/state-machines/:id/visual"]} component={StateMachines} />
      <Route path={["/workflows", "/workflows/:id/visual"]} component={Workflows} />
      <Route path="/workflow-monitor" component={WorkflowMonitor} />
      <Route path="/data" component={DataBrowser} />
      <Route path="/data/:entity" component={DataBrowser} />
      <Route path="/playground" component={Playground} />
      <Route path="/ai-generate" component={AiGenerate} />
      <Route path="/users" component={Users} />
      <Route path="/invites" component={Invites} />
      <Route path="/permissions" component={Permissions} />
      <Route path="/webhooks" component={Webhooks} />
      <Route path="/webhook-logs" component={WebhookLogs} />
      <Route path="/ui-configs" component={UiConfigs} />
      <Route path="/events" component={Events} />
      <Route path="/events/trace/:traceId" component={Trace} />
      <Route path="/events/stats" component={EventStats} />
      <Route path="/help" component={Help} />
      <Route path="/help/:topic" component={Help} />
      <Route path="*" component={() => <Navigate href="/apps" />} />
    </Router>
  );
}
