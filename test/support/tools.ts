/**
 * Tests that need an external tool (QEMU, the ARM cross-compiler, Chromium, code-server…) call `requireTool` in a
 * `before` hook. On a developer machine without the tool the suite is skipped with a message naming the package to
 * install; with CI=true a missing tool fails the suite instead, so CI can never pass by skipping.
 */
import { execFileSync } from 'node:child_process';

export function findOnPath(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${JSON.stringify(cmd)}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function requireTool(ctx: Mocha.Context, cmd: string, install: string): string {
  const found = findOnPath(cmd);
  if (found) return found;
  const msg = `skipped: ${cmd} not found (install: ${install})`;
  if (process.env.CI === 'true') throw new Error(`${msg} — with CI=true a missing tool is a failure`);
  console.log(`      ${msg}`);
  ctx.skip();
}

/**
 * `python` if it can import `module`; otherwise skip (or, with CI=true, fail) like requireTool, naming the package. A
 * try/catch around the import that skips would let CI pass without ever running the test.
 */
export function requirePythonModule(ctx: Mocha.Context, python: string, module: string, install: string): string {
  try {
    execFileSync(python, ['-c', `import ${module}`], { stdio: 'ignore' });
    return python;
  } catch {
    const msg = `skipped: ${python} cannot import ${module} (install: ${install})`;
    if (process.env.CI === 'true') throw new Error(`${msg} — with CI=true a missing tool is a failure`);
    console.log(`      ${msg}`);
    ctx.skip();
  }
}
