/** Flashing a Nucleo-F4 with stlink's `st-flash`, which writes, reads back and compares the .bin. */
import { requireTool } from '../tools';
import { runTool, formatCommandLine } from '../runTool';
import { FlashError, FlashOutcome, FlashRequest } from './types';

export const FLASH_BASE = '0x8000000';

export function stflashArgs(bin: string): string[] {
  return ['--reset', 'write', bin, FLASH_BASE];
}

export function explainStflashFailure(output: string): string {
  if (/Found 0 stlink programmers|Couldn't find any ST-Link devices|No ST-?LINK/i.test(output)) return 'no ST-Link found: is the Nucleo plugged in (USB on the ST-Link side)? Is another tool using it?';
  if (/LIBUSB_ERROR_ACCESS|Permission denied/i.test(output)) return 'no permission to open the ST-Link over USB: install stlink\'s udev rules (49-stlinkv2-1.rules) and replug';
  if (/Verification of flash failed|verify failed/i.test(output)) return 'the flash content differs from the image after writing (verify failed)';
  if (/unknown chip id|Unknown chip/i.test(output)) return 'st-flash does not recognise the chip: update stlink-tools';
  const last = output.trim().split(/\r?\n/).filter((l) => /ERROR|error/.test(l)).pop();
  return last ?? 'see the log for st-flash\'s output';
}

export async function flashWithStflash(req: FlashRequest): Promise<FlashOutcome> {
  const stflash = requireTool('st-flash', 'to flash the Nucleo over its ST-Link', { configured: req.tools?.['st-flash'] });
  const args = stflashArgs(req.bin);
  req.onProgress?.('Writing with st-flash…');
  const r = await runTool(stflash, args, { signal: req.signal, log: req.log, timeoutMs: 120_000 });
  // st-flash exits 0 after "Flash written and verified! jolly good!" (older) or "Flash written and verified" (newer).
  if (r.code !== 0 || !/written and verified/i.test(r.output)) {
    throw new FlashError(`st-flash failed (exit ${r.code}): ${explainStflashFailure(r.output)}. Command: ${formatCommandLine(stflash, args)}`, 'st-flash');
  }
  return { method: 'st-flash', verified: true, verifiedHow: 'st-flash read back the flash ("Flash written and verified")' };
}
