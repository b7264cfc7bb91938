/**
 * "BNN: Open Serial Monitor": PlatformIO's device monitor in a terminal tab. The port (detected boards first), the
 * baud rate and the mode are asked; BNN Studio's firmware is shown framed — its UART carries the benchmark protocol,
 * one line per frame, log frames as their text (device/monitor.ts) — any other firmware as plain text, with what is
 * typed sent to the board. The port is held only while the terminal is open, so Flash to Board can have it back.
 */
import * as vscode from 'vscode';
import { detectBoards } from '../core/device/detect';
import { listSerialPorts } from '../core/device/serialPorts';
import { openSerialTransport } from '../core/device/serial';
import { MonitorDecoder, type MonitorMode } from '../core/device/monitor';
import type { ByteTransport } from '../core/device/transport';

const BAUD_RATES = ['115200', '9600', '19200', '38400', '57600', '230400', '460800', '921600'];

async function pickPort(): Promise<string | undefined> {
  let ports: Awaited<ReturnType<typeof listSerialPorts>> = [];
  let problem: string | undefined;
  try {
    ports = await listSerialPorts();
  } catch (err) {
    problem = (err as Error).message;
  }
  const detected = detectBoards(ports);
  type Item = vscode.QuickPickItem & { path?: string };
  const items: Item[] = ports
    .map((p) => {
      const d = detected.find((x) => x.port.path === p.path);
      return { label: p.path, description: d ? d.boards.map((b) => b.name).join(' / ') : [p.manufacturer, p.vendorId && `${p.vendorId}:${p.productId}`].filter(Boolean).join(' · '), path: p.path, board: !!d };
    })
    .sort((a, b) => Number(b.board) - Number(a.board));
  items.push({ label: '$(edit) Enter a port path…' });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Serial Monitor: port', placeHolder: problem ? `Ports could not be listed (${problem}); enter a path` : items.length === 1 ? 'No serial port found: enter a path' : 'Which serial port?',
  });
  if (!pick) return undefined;
  if (pick.path) return pick.path;
  return vscode.window.showInputBox({ title: 'Serial Monitor: port path', prompt: 'e.g. /dev/ttyACM0, /dev/cu.usbmodem1101, COM3', validateInput: (v) => (v.trim() ? undefined : 'a port path') });
}

async function pickOptions(): Promise<{ baud: number; mode: MonitorMode } | undefined> {
  const baud = await vscode.window.showQuickPick(BAUD_RATES.map((b) => ({ label: b, description: b === '115200' ? 'BNN Studio firmware' : undefined })), { title: 'Serial Monitor: baud rate' });
  if (!baud) return undefined;
  const mode = await vscode.window.showQuickPick([
    { label: 'BNN Studio firmware', description: 'decode its protocol frames: one line each, log frames as text', mode: 'framed' as const },
    { label: 'Plain text', description: 'any other firmware: bytes as text, what you type is sent', mode: 'plain' as const },
  ], { title: 'Serial Monitor: what runs on the board?' });
  return mode ? { baud: Number(baud.label), mode: mode.mode } : undefined;
}

/** A terminal showing the port; closing the terminal closes the port. */
function openMonitor(port: string, baud: number, mode: MonitorMode, output: vscode.LogOutputChannel): void {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const decoder = new MonitorDecoder(mode);
  let transport: ByteTransport | undefined;
  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: () => {
      write.fire(`\x1b[2m--- ${port} at ${baud} baud, ${mode === 'framed' ? 'BNN Studio frames decoded' : 'plain text'}; close this terminal to release the port ---\x1b[0m\r\n`);
      openSerialTransport({ path: port, baudRate: baud }).then((t) => {
        transport = t;
        t.onData((chunk) => { const text = decoder.push(chunk); if (text) write.fire(text); });
        t.onClose((err) => {
          write.fire(`\r\n\x1b[2m--- ${port} closed${err ? `: ${err.message}` : ''} ---\x1b[0m\r\n`);
        });
      }, (err: Error) => {
        output.error(`Serial Monitor: ${err.message}`);
        write.fire(`\x1b[31m${err.message}\x1b[0m\r\n`);
      });
    },
    close: () => { void transport?.close(); },
    handleInput: (data) => {
      // the benchmark protocol is binary: keystrokes would only read as garbage to BNN Studio's firmware
      if (mode === 'plain' && transport?.isOpen) void transport.write(new TextEncoder().encode(data)).catch((err: Error) => write.fire(`\r\n\x1b[31m${err.message}\x1b[0m\r\n`));
    },
  };
  const term = vscode.window.createTerminal({ name: `Serial ${port}`, pty, iconPath: new vscode.ThemeIcon('plug') });
  term.show();
}

export function registerSerialMonitor(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): void {
  context.subscriptions.push(vscode.commands.registerCommand('bnn.serialMonitor', async (portArg?: unknown) => {
    try {
      const port = typeof portArg === 'string' ? portArg : await pickPort();
      if (!port) return;
      const opts = await pickOptions();
      if (!opts) return;
      openMonitor(port.trim(), opts.baud, opts.mode, output);
    } catch (err) {
      void vscode.window.showErrorMessage(`Serial Monitor: ${(err as Error).message}`);
    }
  }));
}
