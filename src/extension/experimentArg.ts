/**
 * What a command argument names as an experiment, before it is looked up (experimentRefs.ts resolves it): the shapes
 * commands are invoked with — an Experiments-tree node, a Uri, an id or a path, objects with dir/experimentDir/path/
 * id/experimentId or a resourceUri, a nested info/experiment. Free of `vscode` (a Uri is read through its fsPath) so
 * the rule is unit-tested.
 */
const PATH_KEYS = ['experimentDir', 'dir', 'folder', 'fsPath', 'path', 'id', 'experimentId'] as const;

export function experimentArg(arg: unknown, depth = 0): string | undefined {
  if (typeof arg === 'string') return arg.trim() === '' ? undefined : arg;
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || depth > 2) return undefined;
  const o = arg as Record<string, unknown>;
  // fsPath before path: a Uri's `path` is the URI path (/c:/x on Windows), its fsPath the file path
  for (const k of PATH_KEYS) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  for (const k of ['resourceUri', 'uri', 'info', 'experiment']) {
    const inner = experimentArg(o[k], depth + 1);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
