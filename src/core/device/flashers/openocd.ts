/** Flashing a Nucleo-F4 with OpenOCD through its ST-Link: `program <elf> verify reset exit` on the stm32f4x target. */
import { requireTool } from '../tools';
import { runTool, formatCommandLine } from '../runTool';
import { FlashError, FlashOutcome, FlashRequest } from './types';

/** OpenOCD reads -c as Tcl: braces keep spaces, and forward slashes keep Windows backslashes from being escapes. */
export function openocdArgs(elf: string): string[] {
  const tclPath = `{${elf.replace(/\\/g, '/')}}`;
  return ['-f', 'interface/stlink.cfg', '-f', 'target/stm32f4x.cfg', '-c', `program ${tclPath} verify reset exit`];
}

export function explainOpenocdFailure(output: string): string {
  if (/LIBUSB_ERROR_ACCESS/i.test(output)) return 'no permission to open the ST-Link over USB. On Linux install OpenOCD\'s udev rules (60-openocd.rules into /etc/udev/rules.d, then unplug and replug)';
  if (/open failed|No ST-?LINK|unable to open ST-?LINK|Error: .*ST-?Link.*not found/i.test(output)) return 'no ST-Link found: is the Nucleo plugged in (USB on the ST-Link side, CN1)? Is another debugger or STM32CubeProgrammer using it?';
  if (/Can't find (interface|target)/i.test(output)) return 'this OpenOCD has no interface/stlink.cfg or target/stm32f4x.cfg: install OpenOCD 0.11 or newer';
  if (/verify failed|checksum mismatch|Verification? failed/i.test(output)) return 'the flash content differs from the image after programming (verify failed)';
  if (/target voltage may be too low|init mode failed/i.test(output)) return 'the ST-Link cannot reach the chip: check the ST-Link jumpers (CN2 both on) and the board power';
  const last = output.trim().split(/\r?\n/).filter((l) => /Error/i.test(l)).pop();
  return last ?? 'see the log for OpenOCD\'s output';
}

export async function flashWithOpenocd(req: FlashRequest): Promise<FlashOutcome> {
  if (!req.elf) throw new FlashError('OpenOCD programs the ELF file, and none was given', 'openocd');
  const openocd = requireTool('openocd', 'to flash the Nucleo over its ST-Link', { configured: req.tools?.openocd });
  const args = openocdArgs(req.elf);
  req.onProgress?.('Programming with OpenOCD…');
  const r = await runTool(openocd, args, { signal: req.signal, log: req.log, timeoutMs: 120_000 });
  if (r.code !== 0 || !/Verified OK/i.test(r.output)) {
    throw new FlashError(`OpenOCD failed (exit ${r.code}): ${explainOpenocdFailure(r.output)}. Command: ${formatCommandLine(openocd, args)}`, 'openocd');
  }
  return { method: 'openocd', verified: true, verifiedHow: 'OpenOCD read back the flash ("Verified OK")' };
}
