// Types of chromium.mjs, for the TypeScript projects that do not compile JavaScript (the frontend).
export interface FoundChromium {
  path: string;
  source: string;
}
export function chromiumCandidates(options?: {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): FoundChromium[];
export function findChromium(options?: {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}): FoundChromium | undefined;
export function requireChromium(): FoundChromium;
