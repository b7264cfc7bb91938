/**
 * "BNN: Train with PyTorch": which Python runs the exported project, and starting it under torchrun. The interpreter
 * is the bnnStudio.python setting when set (the user's choice is used or refused, never replaced), else Debian's
 * /usr/bin/python3 when it imports torch, else python3 on PATH — first on PATH may be a pyenv one without torch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { TORCHRUN_ARGS } from './torchProject';

export const DEFAULT_TORCH_PYTHONS = ['/usr/bin/python3', 'python3'];

export interface TorchProbe {
  ok: boolean;
  python: string;
  pythonVersion?: string;
  torch?: string;
  /** What is missing and how to install it, when !ok. */
  message?: string;
}

const PROBE = 'import json,sys\nr={"python":sys.version.split()[0]}\nfor m in ("torch","numpy"):\n  try:\n    r[m]=__import__(m).__version__\n  except Exception as e:\n    r[m+"_error"]=type(e).__name__+": "+str(e)[:200]\nprint(json.dumps(r))';

/** Asks one interpreter for torch and numpy. Never throws. */
export function probeTorchPython(python: string, timeoutMs = 60_000): Promise<TorchProbe> {
  return new Promise((resolve) => {
    let out = '';
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', PROBE], { stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (e) {
      resolve({ ok: false, python, message: `cannot start ${python}: ${(e as Error).message}` });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.stdout!.on('data', (d) => { out += d; });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, python, message: e.code === 'ENOENT' ? `no Python interpreter at '${python}'` : `cannot run ${python}: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let r: Record<string, string>;
      try {
        r = JSON.parse(out.trim().split('\n').pop() ?? '');
      } catch {
        resolve({ ok: false, python, message: `${python} did not answer the probe (exit ${code})` });
        return;
      }
      const missing = ['torch', 'numpy'].filter((m) => !r[m]);
      resolve({
        ok: missing.length === 0, python, pythonVersion: r.python, torch: r.torch,
        message: missing.length ? `${python} (Python ${r.python}) has no ${missing.join(' and ')} (${missing.map((m) => r[`${m}_error`]).join('; ')})` : undefined,
      });
    });
  });
}

/** The interpreter to use: the setting's, else the first default that imports torch; when none does, why not. */
export async function findTorchPython(setting: string | undefined, candidates: string[] = DEFAULT_TORCH_PYTHONS): Promise<TorchProbe> {
  const tried = setting ? [setting] : candidates;
  const probes: TorchProbe[] = [];
  for (const python of tried) {
    const p = await probeTorchPython(python);
    if (p.ok) return p;
    probes.push(p);
  }
  return {
    ok: false, python: tried[0],
    message: `${probes.map((p) => p.message).join('; ')}. Install PyTorch there (Debian: apt-get install python3-torch; elsewhere: python3 -m pip install torch numpy), or set bnnStudio.python to an interpreter that has it`,
  };
}

/** Starts the project under torchrun with `processes` workers; the caller follows the experiment folder. */
export function startTorchRun(python: string, projectDir: string, experimentsDir: string, processes: number): ChildProcess {
  return spawn(python, ['-m', 'torch.distributed.run', '--nproc_per_node', String(processes), ...TORCHRUN_ARGS, 'train.py', '--experiments', experimentsDir], { cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'] });
}
