// The platform's app list, shared by the sidebar switcher and the Apps page, and
// refreshed after an app is created or deleted (fixes §10.2).
import { createResource, createRoot } from "solid-js";
import { platform } from "./api";
import { isPlatformUser } from "./session";

export interface AppRow {
  name: string;
  display_name?: string;
  db_name?: string;
  db_driver?: string;
  status?: string;
  created_at?: string;
  updated_at?: string;
}

const store = createRoot(() => {
  const [apps, { refetch }] = createResource(isPlatformUser, async () => (await platform.get<AppRow[]>("/apps")).data ?? [], {
    initialValue: [],
  });
  return { apps, refetch };
});

export const apps = () => (store.apps.error ? [] : (store.apps.latest ?? []));
export const appsLoading = () => store.apps.loading;
export const appsError = () => store.apps.error;
export const reloadApps = () => store.refetch();
