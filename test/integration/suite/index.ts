/**
 * Entry point the extension host loads through the smoke-test `payload` (extensionTestsPath): the usual `run()` of
 * @vscode/test-electron. Runs every bundled `*.test.js` next to this file with mocha, and writes a line per test to the
 * report file the outer harness names in BNN_INTEGRATION_REPORT (the extension host's stdout is not visible from the
 * browser), plus a JSON summary at the end.
 */
import Mocha from 'mocha';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

function fileReporter(reportFile: string | undefined): typeof Mocha.reporters.Base {
  const write = (line: string): void => {
    if (reportFile) appendFileSync(reportFile, line + '\n');
    else console.log(line);
  };
  return class extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
      super(runner, options);
      const results: TestResult[] = [];
      let depth = 0;
      const indent = (): string => '  '.repeat(depth);
      runner.on('suite', (s) => {
        if (s.title) write(`${indent()}${s.title}`);
        depth++;
      });
      runner.on('suite end', () => depth--);
      runner.on('pass', (t) => {
        results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
        write(`${indent()}✔ ${t.title} (${t.duration ?? 0} ms)`);
      });
      runner.on('pending', (t) => {
        results.push({ title: t.fullTitle(), state: 'pending' });
        write(`${indent()}- ${t.title} (pending)`);
      });
      runner.on('fail', (t, err: Error) => {
        const error = err.stack ?? String(err);
        results.push({ title: t.fullTitle(), state: 'failed', error });
        write(`${indent()}✘ ${t.title}\n${error.replace(/^/gm, indent() + '    ')}`);
      });
      runner.once('end', () => {
        if (reportFile) writeFileSync(reportFile + '.json', JSON.stringify(results, null, 2));
      });
    }
  };
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: Number(process.env.BNN_INTEGRATION_TIMEOUT ?? 60_000),
    color: false,
    reporter: fileReporter(process.env.BNN_INTEGRATION_REPORT),
    // a regular expression, so one run can pick several suites (e.g. 'Activation|Every contributed command')
    grep: process.env.BNN_INTEGRATION_GREP ? new RegExp(process.env.BNN_INTEGRATION_GREP) : undefined,
  });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
