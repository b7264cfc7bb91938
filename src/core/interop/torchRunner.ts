/**
 * "BNN: Train with PyTorch": which Python runs the exported project, and starting it under torchrun. The interpreter
 * is the bnnStudio.python setting when set (the user's choice is used or refused, never replaced), else Debian's
 * /usr/bin/python3 when it imports torch, else python3 on PATH — first on PATH may be a pyenv one without torch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { probeModules } from './pythonProbe';
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

/** Asks one interpreter for torch and numpy. Never throws. */
export async function probeTorchPython(python: string, timeoutMs = 60_000): Promise<TorchProbe> {
  const r = await probeModules(python, ['torch', 'numpy'], timeoutMs);
  if (!r.answered) {
    const message = r.reason === 'cannot-start' ? `cannot start ${python}: ${r.detail}`
      : r.reason === 'not-found' ? `no Python interpreter at '${python}'`
        : r.reason === 'cannot-run' ? `cannot run ${python}: ${r.detail}`
          : `${python} did not answer the probe (exit ${r.exitCode})`;
    return { ok: false, python, message };
  }
  return {
    ok: r.missing.length === 0, python, pythonVersion: r.pythonVersion, torch: r.versions.torch,
    message: r.missing.length ? `${python} (Python ${r.pythonVersion}) has no ${r.missing.join(' and ')} (${r.missing.map((m) => r.errors[m]).join('; ')})` : undefined,
  };
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
