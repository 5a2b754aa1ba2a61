/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

export default defineConfig(({ mode }) => {
  // Reads the environment and .env files alike (see .env.example).
  const env = loadEnv(mode, process.cwd(), '');
  // Where `npm run dev` forwards /api and /ws: the backend's daphne by default.
  const devBackend = env.DEV_BACKEND_URL || 'http://127.0.0.1:8000';

  return {
    base: '/',
    plugins: [react()],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    server: {
      proxy: {
        '/api': { target: devBackend },
        '/ws': { target: devBackend, ws: true },
      },
    },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
    },
    test: {
      environment: 'jsdom',
      globals: true,
      include: ['src/**/*.test.{ts,tsx}'],
      setupFiles: ['src/test/setup.ts'],
      restoreMocks: true,
      clearMocks: true,
    },
  };
});
