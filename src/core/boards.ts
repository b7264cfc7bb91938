/**
 * The one table of supported boards: the estimator's budgets (status bar), the compiler's targets, the flasher and
 * the detector all read it.
 */
export type FlashMethod = 'qemu' | 'openocd' | 'st-flash' | 'mass-storage' | 'stm32-serial-bootloader' | 'arduino-cli';

export interface BoardInfo {
  id: string;
  name: string;
  mcu: string;
  core: 'cortex-m4' | 'cortex-m4f';
  flashBytes: number;
  ramBytes: number;
  clockHz: number;
  /** How latency is measured on this board. */
  tickSource: 'TIM2 (instructions, emulated)' | 'DWT cycle counter';
  emulated: boolean;
  /** USB vendor/product ids (hex, lower case) by which a connected board is recognised. */
  usb: { vendorId: string; productId?: string }[];
  flashMethods: FlashMethod[];
  /** arduino-cli fully qualified board name, for Arduino boards. */
  fqbn?: string;
}

/** The ST-Link virtual COM port of Nucleo boards: V2-1 (374b; 3752 without the mass-storage drive) and V3 (374e/374f). */
const ST_LINK_VCP = ['374b', '3752', '374e', '374f'].map((productId) => ({ vendorId: '0483', productId }));

export const BOARDS: readonly BoardInfo[] = [
  {
    id: 'qemu-stm32', name: 'Emulated STM32F405 (QEMU netduinoplus2)', mcu: 'STM32F405RG', core: 'cortex-m4f',
    flashBytes: 1024 * 1024, ramBytes: 128 * 1024, clockHz: 168_000_000, tickSource: 'TIM2 (instructions, emulated)',
    emulated: true, usb: [], flashMethods: ['qemu'],
  },
  {
    id: 'nano33ble', name: 'Arduino Nano 33 BLE', mcu: 'nRF52840', core: 'cortex-m4f',
    flashBytes: 1024 * 1024, ramBytes: 256 * 1024, clockHz: 64_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: [{ vendorId: '2341', productId: '805a' }, { vendorId: '2341', productId: '005a' }],
    flashMethods: ['arduino-cli'], fqbn: 'arduino:mbed_nano:nano33ble',
  },
  {
    id: 'nucleo-f401re', name: 'STM32 Nucleo-F401RE', mcu: 'STM32F401RE', core: 'cortex-m4f',
    flashBytes: 512 * 1024, ramBytes: 96 * 1024, clockHz: 84_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: ST_LINK_VCP,
    flashMethods: ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader'],
  },
  {
    id: 'nucleo-f411re', name: 'STM32 Nucleo-F411RE', mcu: 'STM32F411RE', core: 'cortex-m4f',
    flashBytes: 512 * 1024, ramBytes: 128 * 1024, clockHz: 100_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: ST_LINK_VCP,
    flashMethods: ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader'],
  },
  {
    id: 'nucleo-f446re', name: 'STM32 Nucleo-F446RE', mcu: 'STM32F446RE', core: 'cortex-m4f',
    flashBytes: 512 * 1024, ramBytes: 128 * 1024, clockHz: 180_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: ST_LINK_VCP,
    flashMethods: ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader'],
  },
];

export const DEFAULT_BOARD_ID = 'qemu-stm32';

export function findBoard(id: string): BoardInfo | undefined {
  return BOARDS.find((b) => b.id === id);
}
