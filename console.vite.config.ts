import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The admin console: a browser bundle that `mcp-warden server` serves from dist/console (routes/console-routes.ts).
export default defineConfig({
  root: 'src/console',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline scripts or data URLs for scripts: the console's CSP allows only files from the endpoint.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
