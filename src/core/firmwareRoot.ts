/** Where the firmware sources (and the C runtime every compiled model includes) are found at run time. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Next to the bundle (dist/../firmware), the repository root when run from source (src/core/../../firmware), or
 * BNN_FIRMWARE_DIR: a bundle built elsewhere (the benchmarks bundle into .cache/bench/<id>/, which may be a symlink
 * into another checkout) names the checkout's own firmware with it.
 */
export function firmwareRoot(): string {
  const env = process.env.BNN_FIRMWARE_DIR;
  const candidates = [
    ...(env ? [path.resolve(env)] : []),
    path.resolve(__dirname, '..', 'firmware'), path.resolve(__dirname, '..', '..', 'firmware'), path.resolve(__dirname, '..', '..', '..', 'firmware'),
  ];
  for (const c of candidates) if (fs.existsSync(path.join(c, 'protocol', 'bnn_protocol.c'))) return c;
  throw new Error(`the firmware sources were not found (looked in ${candidates.join(', ')}); the installation is incomplete`);
}
