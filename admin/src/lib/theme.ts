// Theme (spec 17 §2.4): light, dark or system, in localStorage `rocket_theme`;
// `dark` on <html>; system mode follows the OS preference live.
import { createSignal } from "solid-js";

export type Theme = "light" | "dark" | "system";
const KEY = "rocket_theme";
const media = matchMedia("(prefers-color-scheme: dark)");

function stored(): Theme {
  const t = localStorage.getItem(KEY);
  return t === "light" || t === "dark" ? t : "system";
}

const [theme, setThemeSignal] = createSignal<Theme>(stored());
export { theme };

function apply() {
  const t = theme();
  const dark = t === "dark" || (t === "system" && media.matches);
  document.documentElement.classList.toggle("dark", dark);
}

export function setTheme(t: Theme) {
  localStorage.setItem(KEY, t);
  setThemeSignal(t);
  apply();
}

/** light → system → dark → light (§2.3). */
export function cycleTheme() {
  setTheme(theme() === "light" ? "system" : theme() === "system" ? "dark" : "light");
}

media.addEventListener("change", apply);
apply();
