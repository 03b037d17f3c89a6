// Builds the admin UI into dist/web, which the node's gateway serves (services/api/web-app.ts).
// `vite --config web/vite.config.ts` serves it in development, with the API proxied to a node on 8080.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
