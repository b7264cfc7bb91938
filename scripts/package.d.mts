// Types for scripts/package.mjs, so unit tests can import its pure helpers.
export function runtimePackages(externalImports: readonly string[]): string[];
export function dependencyClosure(
  names: readonly string[],
  rootDir: string,
  optional?: Set<string>,
): { packages: { rel: string; real: string }[]; missing: string[] };
export function isRuntimeFile(relPath: string): boolean;
export function isUnbuiltNativeAddon(dir: string): boolean;
export const TARGETS: Record<string, { dir: string; libc?: 'glibc' | 'musl' }>;
export function keepForTarget(relPath: string, target: string | undefined): boolean;
export const MAX_PLATFORM_VSIX_BYTES: number;
