/**
 * Asks one Python interpreter which versions of some modules it can import — the probe behind "Train with Larq" and
 * "Train with PyTorch", which differ only in the modules they need and what they tell the user. Never throws.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type ModuleProbe =
  | { answered: true; pythonVersion: string; versions: Record<string, string>; errors: Record<string, string>; missing: string[] }
  | { answered: false; reason: 'cannot-start' | 'not-found' | 'cannot-run' | 'no-answer'; detail: string; exitCode?: number | null; stderr: string };

function probeScript(modules: readonly string[]): string {
  return `import json,sys\nr={"python":sys.version.split()[0]}\nfor m in (${modules.map((m) => JSON.stringify(m)).join(',')},):\n  try:\n    r[m]=__import__(m).__version__\n  except Exception as e:\n    r[m+"_error"]=type(e).__name__+": "+str(e)[:200]\nprint(json.dumps(r))`;
}

export function probeModules(python: string, modules: readonly string[], timeoutMs = 60_000): Promise<ModuleProbe> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', probeScript(modules)], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ answered: false, reason: 'cannot-start', detail: (e as Error).message, stderr: '' });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { err += d; });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ answered: false, reason: e.code === 'ENOENT' ? 'not-found' : 'cannot-run', detail: e.message, stderr: err });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let r: Record<string, string>;
      try {
        r = JSON.parse(out.trim().split('\n').pop() ?? '');
      } catch {
        resolve({ answered: false, reason: 'no-answer', detail: '', exitCode: code, stderr: err });
        return;
      }
      const versions: Record<string, string> = {};
      const errors: Record<string, string> = {};
      for (const m of modules) {
        if (r[m]) versions[m] = r[m];
        else errors[m] = r[`${m}_error`];
      }
      resolve({ answered: true, pythonVersion: r.python, versions, errors, missing: modules.filter((m) => !r[m]) });
    });
  });
}
