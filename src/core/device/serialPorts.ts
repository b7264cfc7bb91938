/**
 * The serial ports present now. On Linux serialport lists ports by running `udevadm info -e`; minimal systems and
 * containers have no udevadm, and the list then failed with a bare "spawn udevadm ENOENT". udev reads what it reports
 * (USB vendor/product ids, manufacturer, serial number) from sysfs, so without udevadm the same facts are read there.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PortRecord } from './detect';

export class PortListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortListError';
  }
}

/** Device names serialport's Linux lister keeps (the rest of /sys/class/tty are consoles and pseudo-terminals). */
const SERIAL_TTY = /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB)|rfcomm)/;

function readAttr(dir: string, name: string): string | undefined {
  try {
    const v = readFileSync(join(dir, name), 'utf8').trim();
    return v || undefined;
  } catch {
    return undefined;
  }
}

/** The USB device a tty hangs off: the nearest ancestor in /sys/devices that has an idVendor file. */
function usbDeviceOf(deviceDir: string, sysRoot: string): string | undefined {
  const stop = join(sysRoot, 'devices');
  for (let d = deviceDir; d.startsWith(stop) && d !== stop; d = dirname(d)) {
    if (existsSync(join(d, 'idVendor'))) return d;
  }
  return undefined;
}

/** Serial ports from sysfs, as serialport would report them (USB ids lower-case hex, no 0x). */
export function listPortsFromSysfs(sysRoot = '/sys', devRoot = '/dev'): PortRecord[] {
  const classDir = join(sysRoot, 'class', 'tty');
  const out: PortRecord[] = [];
  for (const name of readdirSync(classDir).sort()) {
    if (!SERIAL_TTY.test(name)) continue;
    let device: string;
    try {
      device = realpathSync(join(classDir, name, 'device'));
    } catch {
      continue; // no backing device: a virtual tty
    }
    const port: PortRecord = { path: join(devRoot, name) };
    const usb = usbDeviceOf(device, realpathSync(sysRoot));
    if (usb) {
      port.vendorId = readAttr(usb, 'idVendor')?.toLowerCase();
      port.productId = readAttr(usb, 'idProduct')?.toLowerCase();
      port.manufacturer = readAttr(usb, 'manufacturer');
      port.serialNumber = readAttr(usb, 'serial');
    }
    out.push(port);
  }
  return out;
}

function isMissingUdevadm(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException & { path?: string };
  return e?.code === 'ENOENT' && (e.path === 'udevadm' || /udevadm/.test(String(e.message)));
}

export interface ListDeps {
  serialportList?: () => Promise<PortRecord[]>;
  sysRoot?: string;
  platform?: NodeJS.Platform;
}

const serialportList = async (): Promise<PortRecord[]> => (await (await import('serialport')).SerialPort.list()) as PortRecord[];

/** serialport's list, or sysfs's where udevadm is missing; a PortListError saying what is missing otherwise. */
export async function listSerialPorts(deps: ListDeps = {}): Promise<PortRecord[]> {
  const list = deps.serialportList ?? serialportList;
  const sysRoot = deps.sysRoot ?? '/sys';
  try {
    return await list();
  } catch (err) {
    if (isMissingUdevadm(err) && (deps.platform ?? process.platform) === 'linux') {
      try {
        return listPortsFromSysfs(sysRoot);
      } catch {
        throw new PortListError(`cannot list serial ports: udevadm is not installed and ${join(sysRoot, 'class', 'tty')} cannot be read (install udev, e.g. apt install udev)`);
      }
    }
    throw new PortListError(`cannot list serial ports: ${(err as Error).message}`);
  }
}
