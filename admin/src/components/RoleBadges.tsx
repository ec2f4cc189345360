// Role lists as badges (spec 17 §5.16–§5.18): `admin` purple, other roles blue.
import { For, Show } from "solid-js";
import { Badge, BadgeColor } from "./ui";

export function RoleBadges(props: { roles: string[] | undefined; color?: BadgeColor; none?: string }) {
  return (
    <Show when={props.roles?.length} fallback={<span class="muted">{props.none ?? "-"}</span>}>
      <div class="flex flex-wrap gap-1">
        <For each={props.roles}>{(r) => <Badge color={props.color ?? (r === "admin" ? "purple" : "blue")}>{r}</Badge>}</For>
      </div>
    </Show>
  );
}
