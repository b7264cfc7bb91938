/**
 * "BNN: Train with Larq": runs an exported Larq project with a Python interpreter that has Larq and TensorFlow.
 * The run writes its own experiment folder; BNN Studio follows its metrics.jsonl like any other run.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PythonProbe {
  ok: boolean;
  python: string;
  pythonVersion?: string;
  larq?: string;
  tensorflow?: string;
  /** What is missing and how to install it, when !ok. */
  message?: string;
}

const PROBE = 'import json,sys\nr={"python":sys.version.split()[0]}\nfor m in ("larq","tensorflow"):\n  try:\n    r[m]=__import__(m).__version__\n  except Exception as e:\n    r[m+"_error"]=type(e).__name__+": "+str(e)[:200]\nprint(json.dumps(r))';

/** Asks an interpreter which Larq and TensorFlow it has. Never throws. */
export function probePython(python: string, timeoutMs = 60_000): Promise<PythonProbe> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let child: ChildProcess;
    try {
      child = spawn(python, ['-c', PROBE], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ ok: false, python, message: `cannot start ${python}: ${(e as Error).message}` });
      return;
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.stdout!.on('data', (d) => { out += d; });
    child.stderr!.on('data', (d) => { err += d; });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, python, message: e.code === 'ENOENT' ? `no Python interpreter at '${python}': set bnnStudio.python to one that has Larq (pip install larq "tensorflow<2.16")` : `cannot run ${python}: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let r: Record<string, string>;
      try {
        r = JSON.parse(out.trim().split('\n').pop() ?? '');
      } catch {
        resolve({ ok: false, python, message: `${python} did not answer the probe (exit ${code}): ${err.trim().slice(-300) || 'no output'}` });
        return;
      }
      const missing = ['larq', 'tensorflow'].filter((m) => !r[m]);
      resolve({
        ok: missing.length === 0, python, pythonVersion: r.python, larq: r.larq, tensorflow: r.tensorflow,
        message: missing.length ? `${python} (Python ${r.python}) has no ${missing.join(' and ')} (${missing.map((m) => r[`${m}_error`]).join('; ')}): run \`${python} -m pip install larq "tensorflow<2.16"\`, or set bnnStudio.python to an interpreter that has them` : undefined,
      });
    });
  });
}

/** Starts `python train.py --experiments <dir>` in the project folder; the caller follows the experiment folder. */
export function startLarqRun(python: string, projectDir: string, experimentsDir: string, extraArgs: string[] = []): ChildProcess {
  return spawn(python, ['-u', 'train.py', '--experiments', experimentsDir, ...extraArgs], { cwd: projectDir, stdio: ['ignore', 'pipe', 'pipe'] });
}
