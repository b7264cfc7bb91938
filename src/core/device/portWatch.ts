/**
 * The Arduino "1200-baud touch" and following a board whose serial port changes name. Opening the sketch's USB CDC
 * port at 1200 baud and dropping DTR makes the Nano 33 BLE reboot into its bootloader, which enumerates as a new USB
 * device (PID 0x005a instead of 0x805a) and often under a new name (/dev/ttyACM0 → /dev/ttyACM1, COM5 → COM6,
 * /dev/cu.usbmodem14101 → …14201). After the upload the sketch enumerates again, possibly under yet another name.
 * Tools that keep using the old name fail here; these functions follow the board by its USB ids instead.
 */
import { PortRecord, usbIds } from './detect';

export type ListPorts = () => Promise<PortRecord[]>;

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PortWaitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortWaitError';
  }
}

/**
 * Waits until a port with one of `want`'s USB ids is present that was not present (with these ids) in `before`.
 * A port that keeps its name but changes ids counts as new, as it does on macOS for some hubs.
 */
export async function waitForPort(list: ListPorts, before: readonly PortRecord[], want: { vendorId: string; productIds: string[] }, what: string, opts: WaitOptions = {}): Promise<PortRecord> {
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const timeout = opts.timeoutMs ?? 10_000;
  const key = (p: PortRecord): string => { const ids = usbIds(p); return `${p.path}|${ids?.vendorId}:${ids?.productId}`; };
  const old = new Set(before.map(key));
  const t0 = now();
  for (;;) {
    if (opts.signal?.aborted) throw new PortWaitError('cancelled');
    const ports = await list();
    const hit = ports.find((p) => {
      const ids = usbIds(p);
      return ids && ids.vendorId === want.vendorId && want.productIds.includes(ids.productId) && !old.has(key(p));
    });
    if (hit) return hit;
    if (now() - t0 >= timeout) {
      const seen = ports.map((p) => `${p.path} (${usbIds(p)?.vendorId ?? '?'}:${usbIds(p)?.productId ?? '?'})`).join(', ') || 'none';
      throw new PortWaitError(`${what} did not appear within ${Math.round(timeout / 1000)} s (ports now: ${seen}). ` +
        `Double-tap the board's reset button to enter the bootloader by hand, then retry.`);
    }
    await sleep(opts.pollMs ?? 250);
  }
}

export interface TouchPort {
  /** Open at 1200 baud, drop DTR, close. */
  (path: string): Promise<void>;
}

/**
 * Touches the sketch port and follows the board into its bootloader. If the board is already in the bootloader (a
 * double-tap, or a previous failed upload) it is used as is.
 */
export async function enterBootloader(list: ListPorts, touch: TouchPort, sketchPort: string, ids: { vendorId: string; sketchPid: string; bootloaderPid: string }, opts: WaitOptions = {}): Promise<PortRecord> {
  const before = await list();
  const current = before.find((p) => p.path === sketchPort);
  if (current && usbIds(current)?.productId === ids.bootloaderPid) return current;
  const already = before.find((p) => usbIds(p)?.vendorId === ids.vendorId && usbIds(p)?.productId === ids.bootloaderPid);
  if (!current && already) return already;
  if (!current) throw new PortWaitError(`${sketchPort} is not connected (board unplugged?)`);
  await touch(sketchPort);
  return waitForPort(list, before.filter((p) => p.path !== sketchPort), { vendorId: ids.vendorId, productIds: [ids.bootloaderPid] }, 'The board\'s bootloader port', opts);
}

/**
 * After an upload: the sketch's port, which may have a new name. `whileInBootloader` is the port list taken while the
 * board sat in its bootloader, so another identical board that stayed plugged in is not mistaken for this one.
 */
export async function waitForSketchPort(list: ListPorts, whileInBootloader: readonly PortRecord[], ids: { vendorId: string; sketchPid: string }, opts: WaitOptions = {}): Promise<PortRecord> {
  return waitForPort(list, whileInBootloader, { vendorId: ids.vendorId, productIds: [ids.sketchPid] }, 'The board\'s serial port after upload', opts);
}
