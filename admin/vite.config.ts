import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import tailwindcss from "@tailwindcss/vite";

// The bundle is served by the rocket binary under /admin/ (spec 17 §1). In
// development `npm run dev` serves the UI on :3000 and proxies the API to a
// running server (ROCKET_URL, default http://127.0.0.1:8080).
export default defineConfig({
  base: "/admin/",
  plugins: [solid(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    port: 3000,
    proxy: { "/api": process.env.ROCKET_URL ?? "http://127.0.0.1:8080" },
  },
});
