/** The serial monitor's framed decoding (device/monitor.ts) and the no-board report (device/boardReport.ts). */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LOG_FRAME_TYPE, MonitorDecoder } from '../../../src/core/device/monitor';
import { encodeError, encodeFrame, encodeHello, MsgType } from '../../../src/core/device/protocol';
import { noBoardReport, probeAccess, userGroups } from '../../../src/core/device/boardReport';
import type { ToolStatus } from '../../../src/core/device/toolCheck';

const bytes = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};

describe('serial monitor', () => {
  const hello = encodeFrame({ type: MsgType.HELLO_REPLY, seq: 1, payload: encodeHello({ protocolVersion: 1, scoresAreFloat: false, numClasses: 10, inputSize: 784, maxPayload: 8192, clockHz: 84_000_000, modelFlashBytes: 1, modelRamBytes: 1, firmwareVersion: 'bnn-fw 0.1.0', modelHash: '0123456789abcdef', board: 'nucleo-f401re', tickSource: 'DWT' }) });
  const log = encodeFrame({ type: LOG_FRAME_TYPE, seq: 0, payload: bytes('booted in 3 ms') });
  const err = encodeFrame({ type: MsgType.ERROR, seq: 2, payload: encodeError(1, 'header') });

  it('framed: one line per frame (a log frame as its text), the bytes between frames as text', () => {
    const m = new MonitorDecoder('framed');
    const stream = concat(bytes('reset\n'), hello, log, bytes('x'), err);
    assert.equal(m.push(stream),
      'reset\r\n[HELLO_REPLY seq 1, 72 B] bnn-fw 0.1.0 on nucleo-f401re, model 0123456789ab, 10 classes, 84000000 Hz\r\n[log] booted in 3 ms\r\nx\r\n[ERROR seq 2, 8 B] 1: header (bad CRC)\r\n');
  });

  it('framed: the same output whatever the chunking, one byte at a time included', () => {
    const stream = concat(bytes('hi\n'), log, bytes('tail'), hello);
    const whole = new MonitorDecoder('framed').push(stream);
    const m = new MonitorDecoder('framed');
    let byByte = '';
    for (const b of stream) byByte += m.push(new Uint8Array([b]));
    assert.equal(byByte, whole);
    assert.equal(whole, `hi\r\n[log] booted in 3 ms\r\ntail\r\n[HELLO_REPLY seq 1, 72 B] bnn-fw 0.1.0 on nucleo-f401re, model 0123456789ab, 10 classes, 84000000 Hz\r\n`);
  });

  it('framed: a frame with a bad CRC is reported, not shown as data', () => {
    const bad = log.slice();
    bad[bad.length - 1] ^= 0xff;
    assert.match(new MonitorDecoder('framed').push(bad), /\[frame 64 seq 0 with a bad CRC dropped\]/);
  });

  it('plain: bytes as UTF-8 text with terminal line ends, a character split between chunks kept whole', () => {
    const m = new MonitorDecoder('plain');
    const e = bytes('é');
    assert.equal(m.push(concat(bytes('a\nb'), e.subarray(0, 1))) + m.push(e.subarray(1)), 'a\r\nbé');
  });
});

describe('no-board report', () => {
  const tools: ToolStatus[] = [
    { tool: 'openocd', purpose: '', path: '/usr/bin/openocd' },
    { tool: 'st-flash', purpose: '', problem: 'st-flash is not installed. Install it — …' },
    { tool: 'arduino-cli', purpose: '' },
    { tool: 'arm-none-eabi-gcc', purpose: '', path: '/usr/bin/arm-none-eabi-gcc' },
  ];

  it('lists the ports seen and why each is not a board, permissions, udev rules and the flashing tools found', () => {
    const lines = noBoardReport({
      platform: 'linux', tools, groups: ['users'],
      ports: [{ path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523', manufacturer: 'QinHeng' }, { path: '/dev/ttyS0' }],
      access: { '/dev/ttyUSB0': { canOpen: false }, '/dev/ttyS0': { canOpen: true } },
    });
    const text = lines.join('\n');
    assert.match(text, /^No supported board answered \(Arduino Nano 33 BLE, STM32 Nucleo-F401RE/);
    assert.match(text, /\/dev\/ttyUSB0 {2}USB 1a86:7523, not a supported board \(QinHeng\) — no permission to open it/);
    assert.match(text, /\/dev\/ttyS0 {2}not a USB device\n/);
    assert.match(text, /not in the dialout group: sudo usermod -aG dialout \$USER/);
    assert.match(text, /cannot open \/dev\/ttyUSB0/);
    assert.match(text, /udev rules/);
    assert.match(text, /openocd {12}found: \/usr\/bin\/openocd/);
    assert.match(text, /st-flash {11}missing — st-flash is not installed\n/);
    assert.match(text, /arduino-cli {8}missing\n/);
  });

  it('a Nucleo’s ST-Link is named as the boards it may be; no ports and macOS leave the Linux hints out', () => {
    const nucleo = noBoardReport({ platform: 'darwin', tools, ports: [{ path: '/dev/cu.usbmodem1', vendorId: '0483', productId: '374b' }] }).join('\n');
    assert.match(nucleo, /may be STM32 Nucleo-F401RE \/ STM32 Nucleo-F411RE \/ STM32 Nucleo-F446RE/);
    assert.doesNotMatch(nucleo, /dialout/);
    assert.match(noBoardReport({ platform: 'linux', tools, ports: [], groups: ['dialout'] }).join('\n'), /none — is the board plugged in[\s\S]*you are in the serial ports' group/);
  });

  it('reads the user’s groups from a group file and probes port access', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bnn-groups-'));
    try {
      writeFileSync(path.join(dir, 'group'), 'root:x:0:\ndialout:x:20:me\nusers:x:100:\n');
      assert.deepEqual(userGroups(path.join(dir, 'group'), [20, 100]), ['dialout', 'users']);
      assert.equal(userGroups(path.join(dir, 'nope'), [20]), undefined);
      writeFileSync(path.join(dir, 'tty'), '');
      assert.deepEqual(probeAccess([{ path: path.join(dir, 'tty') }, { path: path.join(dir, 'gone') }]), { [path.join(dir, 'tty')]: { canOpen: true }, [path.join(dir, 'gone')]: { canOpen: false } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
