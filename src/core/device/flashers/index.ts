/** Choosing how to flash a board with what this machine has, and running that flasher. */
import type { BoardInfo, FlashMethod } from '../../boards';
import { findTool, ToolMissingError, installHint, currentOs, Os, ToolName } from '../tools';
import { findNucleoDrives, nucleoChip, DriveFs } from './massStorage';
import { flashWithOpenocd } from './openocd';
import { flashWithStflash } from './stflash';
import { flashWithMassStorage } from './massStorage';
import { flashWithSerialBootloader } from './serialBootloader';
import { FlashError, FlashOutcome, FlashRequest, ToolSettings } from './types';

export interface Availability {
  openocd: boolean;
  'st-flash': boolean;
  nucleoDrive: boolean;
  'arduino-cli': boolean;
}

export async function probeAvailability(board: BoardInfo, tools: ToolSettings = {}, fs?: DriveFs, os?: Os): Promise<Availability> {
  const has = (t: ToolName): boolean => { try { return !!findTool(t, { configured: tools[t], os }); } catch { return false; } };
  const nucleo = board.id.startsWith('nucleo-');
  return {
    openocd: has('openocd'),
    'st-flash': has('st-flash'),
    nucleoDrive: nucleo ? (await findNucleoDrives({ chip: nucleoChip(board.id), fs, os })).length > 0 : false,
    'arduino-cli': has('arduino-cli'),
  };
}

/**
 * The method an embedded developer would reach for first: a debugger tool that verifies (OpenOCD, then st-flash),
 * then the drag-and-drop drive, then the ROM bootloader over serial (needs BOOT0 high, so it is last).
 */
export function chooseFlashMethod(board: BoardInfo, avail: Availability, opts: { preferred?: FlashMethod; port?: string; os?: Os } = {}): FlashMethod {
  const methods = board.flashMethods;
  if (opts.preferred) {
    if (!methods.includes(opts.preferred)) throw new FlashError(`${board.name} cannot be flashed with ${opts.preferred} (it supports ${methods.join(', ')})`, opts.preferred);
    return opts.preferred;
  }
  if (methods.includes('arduino-cli')) {
    if (!avail['arduino-cli']) throw new ToolMissingError('arduino-cli', undefined, `arduino-cli is needed to build and upload to the ${board.name} but was not found on PATH. ` +
      `Install it: ${installHint('arduino-cli', opts.os ?? currentOs())}, then: arduino-cli core install arduino:mbed_nano. Or set bnnStudio.tools.arduino-cli.`);
    return 'arduino-cli';
  }
  if (methods.includes('openocd') && avail.openocd) return 'openocd';
  if (methods.includes('st-flash') && avail['st-flash']) return 'st-flash';
  if (methods.includes('mass-storage') && avail.nucleoDrive) return 'mass-storage';
  if (methods.includes('stm32-serial-bootloader') && opts.port) return 'stm32-serial-bootloader';
  const os = opts.os ?? currentOs();
  throw new ToolMissingError('openocd', undefined, `Nothing to flash the ${board.name} with: install OpenOCD (${installHint('openocd', os)}) or ` +
    `stlink (${installHint('st-flash', os)}); or plug the board in so its NODE_${nucleoChip(board.id)} drive mounts; or start it in its ` +
    `ROM bootloader (BOOT0 high) and give its serial port to use the built-in serial flasher.`);
}

/** Flashes a Nucleo with the given method. (The Nano 33 BLE goes through arduino.ts: it builds a sketch first.) */
export async function flashNucleo(method: FlashMethod, req: FlashRequest): Promise<FlashOutcome> {
  switch (method) {
    case 'openocd': return flashWithOpenocd(req);
    case 'st-flash': return flashWithStflash(req);
    case 'mass-storage': return flashWithMassStorage(req);
    case 'stm32-serial-bootloader': return flashWithSerialBootloader(req);
    default: throw new FlashError(`${method} does not flash a Nucleo`, method);
  }
}
