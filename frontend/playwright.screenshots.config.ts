import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/** `npm run screenshots`: the main screens, saved to ../docs/screenshots/ for the README. */
export default defineConfig({
  ...base,
  testMatch: /screenshots\.spec\.ts/,
  testIgnore: [],
  use: { ...base.use, colorScheme: 'light', reducedMotion: 'reduce', viewport: { width: 1100, height: 700 }, trace: 'off' },
});
