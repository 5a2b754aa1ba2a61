import { backendProblem } from './backend';
import { ensureChromium } from './chromium';

export default function globalSetup(): void {
  ensureChromium();
  const problem = backendProblem();
  if (problem) throw new Error(problem);
}
