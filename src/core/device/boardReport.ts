/**
 * What Flash to Board (and `bnn boards`) says when no supported board answers, as PlatformIO's device list would: the
 * serial ports that are there and why each is not a board, whether this user may open them (Linux: the dialout
 * group), the udev rules ST-Link and Arduino boards need, and which flashing tools are installed.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { BOARDS } from '../boards';
import { detectBoards, usbIds, type PortRecord } from './detect';
import type { ToolStatus } from './toolCheck';

export interface PortAccess {
  /** Whether this process may read and write the port. */
  canOpen: boolean;
}

export interface ReportInput {
  ports: readonly PortRecord[];
  /** Why the port list could not be read, if it could not. */
  listError?: string;
  tools: readonly ToolStatus[];
  platform: NodeJS.Platform;
  /** Per port path: may this user open it (probed with access(2)). */
  access?: Record<string, PortAccess>;
  /** Linux: the names of this user's groups, and whether a dialout-style group exists. */
  groups?: string[];
}

/** The tools that flash or build for a real board. */
const FLASH_TOOLS = ['openocd', 'st-flash', 'arduino-cli', 'arm-none-eabi-gcc'] as const;

/** The groups that own serial devices: dialout on Debian/Ubuntu/Fedora, uucp on Arch. */
const SERIAL_GROUPS = ['dialout', 'uucp'];

/** One line per fact, for the output channel, the modal's detail and the CLI. */
export function noBoardReport(r: ReportInput): string[] {
  const out: string[] = [];
  const names = BOARDS.filter((b) => !b.emulated).map((b) => b.name).join(', ');
  out.push(`No supported board answered (${names}).`);
  out.push('');
  out.push('Serial ports seen:');
  if (r.listError) out.push(`  the port list could not be read: ${r.listError}`);
  else if (r.ports.length === 0) out.push('  none — is the board plugged in with a data cable (some USB cables carry power only)?');
  const detected = detectBoards(r.ports);
  for (const p of r.ports) {
    const ids = usbIds(p);
    const who = [p.manufacturer, p.serialNumber && `S/N ${p.serialNumber}`].filter(Boolean).join(', ');
    const d = detected.find((x) => x.port.path === p.path);
    const what = d ? `may be ${d.boards.map((b) => b.name).join(' / ')}` : ids ? `USB ${ids.vendorId}:${ids.productId}, not a supported board` : 'not a USB device';
    const denied = r.access?.[p.path] && !r.access[p.path].canOpen ? ' — no permission to open it' : '';
    out.push(`  ${p.path}  ${what}${who ? ` (${who})` : ''}${denied}`);
  }
  if (r.platform === 'linux') {
    out.push('');
    out.push('Permissions:');
    const inGroup = r.groups?.some((g) => SERIAL_GROUPS.includes(g));
    const denied = Object.entries(r.access ?? {}).filter(([, a]) => !a.canOpen).map(([p]) => p);
    if (r.groups && !inGroup) out.push('  you are not in the dialout group: sudo usermod -aG dialout $USER, then log out and in again (Arch: uucp)');
    else if (inGroup) out.push('  you are in the serial ports\' group (dialout/uucp)');
    if (denied.length) out.push(`  cannot open ${denied.join(', ')} (check its group with ls -l)`);
    out.push('  ST-Link (Nucleo boards) needs udev rules for openocd/st-flash: Debian\'s openocd and stlink-tools packages install them (/lib/udev/rules.d/60-openocd.rules, 49-stlinkv2-1.rules); then sudo udevadm control --reload-rules and replug');
    out.push('  Arduino Nano 33 BLE: arduino-cli core install arduino:mbed_nano, then run the core\'s post_install.sh as root for its udev rules');
  }
  out.push('');
  out.push('Flashing tools:');
  for (const t of FLASH_TOOLS) {
    const s = r.tools.find((x) => x.tool === t);
    out.push(`  ${t.padEnd(18)} ${s?.path ? `found: ${s.path}` : `missing${s?.problem ? ` — ${s.problem.split('. Install it')[0]}` : ''}`}`);
  }
  out.push('');
  out.push('Without a board, "Run on Emulated Board" measures the model on an emulated STM32 (QEMU).');
  return out;
}

/** access(2) on each port path: can this process open it read-write? */
export function probeAccess(ports: readonly PortRecord[]): Record<string, PortAccess> {
  const out: Record<string, PortAccess> = {};
  for (const p of ports) {
    try {
      accessSync(p.path, constants.R_OK | constants.W_OK);
      out[p.path] = { canOpen: true };
    } catch {
      out[p.path] = { canOpen: false };
    }
  }
  return out;
}

/** The names of this process's groups (Linux, from /etc/group and getgroups); undefined where that is unknown. */
export function userGroups(groupFile = '/etc/group', gids: number[] | undefined = process.getgroups?.()): string[] | undefined {
  if (!gids) return undefined;
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name && gids.includes(Number(gid))) names.push(name);
  }
  return names;
}
