import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server passes /api and /socket.io to the API, like server.mjs does in production, so the app always
// talks to its own origin (the refresh cookie is SameSite=Strict and scoped to /api/v1/auth).
const apiUrl = process.env.API_URL ?? 'http://localhost:3002';

// @vitejs/plugin-react 5 (6 needs Vite 8): the automatic JSX runtime and Fast Refresh in development.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      '/api': { target: apiUrl, changeOrigin: false },
      '/socket.io': { target: apiUrl, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    // Libraries change less often than the app: separate files stay cached across deploys.
    rollupOptions: {
      // Libraries' "use client" directives and comment placement mean nothing in a browser bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-router'],
          data: ['@tanstack/react-query', 'socket.io-client'],
          forms: ['zod', 'react-hook-form', '@hookform/resolvers/zod'],
          // Both dashboard charts draw with it; still loaded only when the dashboard opens.
          charts: ['apexcharts', 'react-apexcharts'],
        },
      },
    },
  },
});
