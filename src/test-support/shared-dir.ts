// pattern: Imperative Shell
// Where the workplace's shared/ folder is for tests that read material the
// project may not copy (GPL and unlicensed corpus files, the live oracle
// cases): beside the checkout (../shared), wherever the checkout lives, or
// PACKETWALK_SHARED. Tests skip with a printed notice when it is absent.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED: string = process.env.PACKETWALK_SHARED ?? join(repoRoot, '..', 'shared');

export function sharedPath(...parts: string[]): string {
  return join(SHARED, ...parts);
}

export function hasShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}
