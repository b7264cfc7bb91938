/**
 * "BNN: Train with Larq": runs an exported Larq project with a Python interpreter that has Larq and TensorFlow.
 * The run writes its own experiment folder; BNN Studio follows its metrics.jsonl like any other run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { probeModules } from './pythonProbe';

export interface PythonProbe {
  ok: boolean;
  python: string;
  pythonVersion?: string;
  larq?: string;
  tensorflow?: string;
  /** What is missing and how to install it, when !ok. */
  message?: string;
}

/** Asks an interpreter which Larq and TensorFlow it has. Never throws. */
export async function probePython(python: string, timeoutMs = 60_000): Promise<PythonProbe> {
  const r = await probeModules(python, ['larq', 'tensorflow'], timeoutMs);
  if (!r.answered) {
    const message = r.reason === 'cannot-start' ? `cannot start ${python}: ${r.detail}`
      : r.reason === 'not-found' ? `no Python interpreter at '${python}': set bnnStudio.python to one that has Larq (pip install larq "tensorflow<2.16")`
        : r.reason === 'cannot-run' ? `cannot run ${python}: ${r.detail}`
          : `${python} did not answer the probe (exit ${r.exitCode}): ${r.stderr.trim().slice(-300) || 'no output'}`;
    return { ok: false, python, message };
  }
  return {
    ok: r.missing.length === 0, python, pythonVersion: r.pythonVersion, larq: r.versions.larq, tensorflow: r.versions.tensorflow,
    message: r.missing.length ? `${python} (Python ${r.pythonVersion}) has no ${r.missing.join(' and ')} (${r.missing.map((m) => r.errors[m]).join('; ')}): run \`${python} -m pip install larq "tensorflow<2.16"\`, or set bnnStudio.python to an interpreter that has them` : undefined,
  };
}

/** Starts `python train.py --experiments <dir>` in the project folder; the caller follows the experiment folder. */
export function startLarqRun(python: string, projectDir: string, experimentsDir: string, extraArgs: string[] = []): ChildProcess {
  return spawn(python, ['-u', 'train.py', '--experiments', experimentsDir, ...extraArgs], { cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'] });
}
