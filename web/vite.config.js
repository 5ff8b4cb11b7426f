// Vite config for Parley's web client.
// `npm run dev` proxies /api and /socket.io to a running parley-server (PARLEY_URL, default
// http://127.0.0.1:5001), so the dev server and the API share one origin like in production.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.PARLEY_URL || 'http://127.0.0.1:5001';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2020',
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/socket.io': { target, ws: true, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target, changeOrigin: false },
      '/socket.io': { target, ws: true, changeOrigin: false },
    },
  },
});
