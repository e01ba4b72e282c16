import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the server from apps/web/dist at `/`; in development vite proxies the API to it.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
