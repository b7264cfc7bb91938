// Helpers shared by the benchmark modules (files starting with "_" are not benchmarks themselves).
import { mkdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

export function machineLine() {
  const cpu = cpus();
  const when = new Date().toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  return `${when} · Node ${process.version} · ${cpu[0]?.model?.trim() ?? 'unknown CPU'} × ${cpu.length} · ${process.platform}/${process.arch} · load average ${loadavg()[0].toFixed(1)} at start`;
}

export function writeFileAtomic(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Median, min, p90 and max of a list of milliseconds. */
export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { runs: s.length, median: at(0.5), min: s[0], p90: at(0.9), max: s[s.length - 1] };
}

export function ms(x) {
  return x >= 100 ? `${Math.round(x)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`;
}

/** Markdown table from a header row and rows. */
export function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ':--' : '--:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function benchContext(root, id) {
  const cacheDir = join(root, '.cache', 'bench', id);
  // The bundles live under .cache (a symlink into another checkout in a worktree): name this checkout's firmware.
  process.env.BNN_FIRMWARE_DIR ??= join(root, 'firmware');
  return {
    root,
    /** A fresh scratch folder under .cache/bench/<id>/<name>. */
    scratch(name) {
      const dir = join(cacheDir, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    /**
     * Bundles `source` (TypeScript importing from ./src/…, resolved from the repository root) to CommonJS in the
     * cache, so a benchmark runs exactly the product's code.
     */
    async bundle(name, source) {
      mkdirSync(cacheDir, { recursive: true });
      const outfile = join(cacheDir, `${name}.cjs`);
      await esbuild.build({ stdin: { contents: source, resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` }, outfile, bundle: true, mainFields: ['module', 'main'], platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning', external: ['vscode', 'serialport', '@serialport/*', '@tensorflow/tfjs-node'] });
      return outfile;
    },
    /** Runs `node script args…` and parses its last stdout line as JSON (fresh processes measure cold starts). */
    node(script, args = []) {
      const r = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join(' / ')}`);
      const last = r.stdout.trim().split('\n').pop();
      return JSON.parse(last);
    },
    stats, ms, table,
    async time(fn, { runs = 50, warmup = 5 } = {}) {
      for (let i = 0; i < warmup; i++) await fn();
      const samples = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await fn();
        samples.push(performance.now() - t0);
      }
      return stats(samples);
    },
  };
}
