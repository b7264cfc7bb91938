import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { listPortsFromSysfs, listSerialPorts, PortListError } from '../../../src/core/device/serialPorts';
import { detectBoards } from '../../../src/core/device/detect';

const root = join(__dirname, '..', '..', '..');

/** A sysfs tree as Linux lays it out: /sys/class/tty/<name>/device → the tty's device under /sys/devices. */
function fakeSysfs(): string {
  const sys = mkdtempSync(join(tmpdir(), 'bnn-sysfs-'));
  const usb = join(sys, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', '1-2');
  mkdirSync(join(usb, '1-2:1.2'), { recursive: true });
  // what the kernel exposes for an ST-Link V2-1 (Nucleo-F446RE): ids in lower-case hex, strings with a newline
  writeFileSync(join(usb, 'idVendor'), '0483\n');
  writeFileSync(join(usb, 'idProduct'), '374B\n');
  writeFileSync(join(usb, 'manufacturer'), 'STMicroelectronics\n');
  writeFileSync(join(usb, 'serial'), '0671FF485550755187034646\n');
  const legacy = join(sys, 'devices', 'platform', 'serial8250', 'tty', 'ttyS0');
  mkdirSync(legacy, { recursive: true });
  const tty = (name: string, device?: string): void => {
    mkdirSync(join(sys, 'class', 'tty', name), { recursive: true });
    if (device) symlinkSync(device, join(sys, 'class', 'tty', name, 'device'));
  };
  tty('ttyACM0', join(usb, '1-2:1.2'));
  tty('ttyS0', join(sys, 'devices', 'platform', 'serial8250'));
  tty('tty1'); // a virtual console: not a serial port
  tty('ttyUSB9'); // no backing device
  return sys;
}

describe('serial port listing without udevadm', () => {
  it('reads ports and their USB ids from sysfs, as serialport reports them', () => {
    const sys = fakeSysfs();
    const ports = listPortsFromSysfs(sys, '/dev');
    assert.deepEqual(ports, [
      { path: '/dev/ttyACM0', vendorId: '0483', productId: '374b', manufacturer: 'STMicroelectronics', serialNumber: '0671FF485550755187034646' },
      { path: '/dev/ttyS0' },
    ]);
    // …so board detection recognises the Nucleo's ST-Link from them
    assert.deepEqual(detectBoards(ports).map((d) => d.port.path), ['/dev/ttyACM0']);
  });

  it('falls back to sysfs only when udevadm is missing, and says what is missing when sysfs is unreadable too', async () => {
    const sys = fakeSysfs();
    const noUdevadm = (): Promise<never> => Promise.reject(Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT', path: 'udevadm', syscall: 'spawn udevadm' }));
    assert.equal((await listSerialPorts({ serialportList: noUdevadm, sysRoot: sys, platform: 'linux' })).length, 2);
    await assert.rejects(listSerialPorts({ serialportList: noUdevadm, sysRoot: join(sys, 'nope'), platform: 'linux' }), (e: Error) => e instanceof PortListError && /udevadm is not installed/.test(e.message) && /install udev/.test(e.message) && !/ENOENT/.test(e.message));
    // any other failure is reported as it is, once
    await assert.rejects(listSerialPorts({ serialportList: () => Promise.reject(new Error('permission denied')), sysRoot: sys, platform: 'linux' }), /^PortListError: cannot list serial ports: permission denied$/);
    const listed = [{ path: '/dev/ttyACM3', vendorId: '2341', productId: '805a' }];
    assert.deepEqual(await listSerialPorts({ serialportList: () => Promise.resolve(listed), sysRoot: join(sys, 'nope') }), listed);
  });

  it('bnn boards on a PATH without udevadm lists the connected ports with no spawn error', () => {
    const bin = mkdtempSync(join(tmpdir(), 'bnn-path-'));
    const r = spawnSync(process.execPath, [join(root, 'bin', 'bnn.js'), 'boards'], { cwd: root, encoding: 'utf8', env: { ...process.env, PATH: [bin, '/nonexistent'].join(delimiter) } });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /ENOENT|udevadm/);
    // this machine's own /sys/class/tty: the section holds either detected boards or the "none" line
    assert.match(r.stdout, /connected now:\n {2}(none \(plug a board in|\/dev\/)/);
  });
});
