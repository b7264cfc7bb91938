// Types for scripts/package.mjs, so unit tests can import its pure helpers.
export function runtimePackages(externalImports: readonly string[]): string[];
export function dependencyClosure(
  names: readonly string[],
  rootDir: string,
  optional?: Set<string>,
): { packages: { rel: string; real: string }[]; missing: string[] };
export function isRuntimeFile(relPath: string): boolean;
export function isUnbuiltNativeAddon(dir: string): boolean;
