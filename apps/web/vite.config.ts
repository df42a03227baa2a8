import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

// The dev server passes /api and /socket.io to the API, like server.mjs does in production, so the app always
// talks to its own origin (the refresh cookie is SameSite=Strict and scoped to /api/v1/auth).
const apiUrl = process.env.API_URL ?? 'http://localhost:3002';

// JSX is compiled by Vite's own esbuild (automatic runtime). @vitejs/plugin-react 6 needs Vite 8 and this
// package is on Vite 7; the plugin would only add Fast Refresh in development.
export default defineConfig({
  plugins: [tailwindcss()],
  esbuild: { jsx: 'automatic' },
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
        },
      },
    },
  },
});
