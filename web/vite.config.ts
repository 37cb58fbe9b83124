// Builds the staff console and the client portal into web/dist, served by the Aftercare server at `/`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // A placeholder the server replaces with a fresh nonce per page (src/server/web.ts): Vite puts it on
  // its tags and in <meta property="csp-nonce">, whose nonce Mantine's <style> elements carry.
  html: { cspNonce: 'AFTERCARE_CSP_NONCE' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
