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
  /**
   * What the firmware around the model takes, on top of the model's own arrays (the plan's bytes): the protocol
   * harness, startup code and the inference runtime's code in flash; the receive buffer, its other statics and the
   * stack in RAM. `measured`: test/slow/firmwareReserve.test.ts builds this board's firmware for a range of models
   * and checks the reserve covers each of them without being more than 4 KB generous.
   */
  firmwareReserve: { flashBytes: number; ramBytes: number; measured: boolean };
}

/**
 * The bare-metal STM32 firmware (firmware/protocol + firmware/boards): about 3.7 KB of harness and the runtime code in
 * flash — up to 35.7 KB since the bit-sliced XNOR kernel is inlined per stage (the worst of the measured builds);
 * 8.3–10.2 KB of statics and a 4 KB stack in RAM (measured with arm-none-eabi-size, test/slow/firmwareReserve.test.ts).
 */
const STM32_FIRMWARE = { flashBytes: 36 * 1024, ramBytes: 16 * 1024, measured: true };
/** The same firmware on the F401RE: the models that fit its 512 KB / 96 KB build to at most 29.7 KB of code. */
const F401_FIRMWARE = { ...STM32_FIRMWARE, flashBytes: 32 * 1024 };

/** The ST-Link virtual COM port of Nucleo boards: V2-1 (374b; 3752 without the mass-storage drive) and V3 (374e/374f). */
const ST_LINK_VCP = ['374b', '3752', '374e', '374f'].map((productId) => ({ vendorId: '0483', productId }));

export const BOARDS: readonly BoardInfo[] = [
  {
    id: 'qemu-stm32', name: 'Emulated STM32F405 (QEMU netduinoplus2)', mcu: 'STM32F405RG', core: 'cortex-m4f',
    flashBytes: 1024 * 1024, ramBytes: 128 * 1024, clockHz: 168_000_000, tickSource: 'TIM2 (instructions, emulated)',
    emulated: true, usb: [], flashMethods: ['qemu'], firmwareReserve: STM32_FIRMWARE,
  },
  {
    id: 'nano33ble', name: 'Arduino Nano 33 BLE', mcu: 'nRF52840', core: 'cortex-m4f',
    flashBytes: 1024 * 1024, ramBytes: 256 * 1024, clockHz: 64_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: [{ vendorId: '2341', productId: '805a' }, { vendorId: '2341', productId: '005a' }],
    flashMethods: ['arduino-cli'], fqbn: 'arduino:mbed_nano:nano33ble',
    // Not measured here (the mbed core cannot be installed offline): the 64 KB bootloader, and Mbed OS with the
    // sketch, which arduino-cli reports at about 80 KB flash and 44 KB RAM for a near-empty sketch; bench prints
    // the measured numbers on a real board.
    firmwareReserve: { flashBytes: 160 * 1024, ramBytes: 48 * 1024, measured: false },
  },
  {
    id: 'nucleo-f401re', name: 'STM32 Nucleo-F401RE', mcu: 'STM32F401RE', core: 'cortex-m4f',
    flashBytes: 512 * 1024, ramBytes: 96 * 1024, clockHz: 84_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: ST_LINK_VCP,
    flashMethods: ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader'], firmwareReserve: F401_FIRMWARE,
  },
  {
    id: 'nucleo-f411re', name: 'STM32 Nucleo-F411RE', mcu: 'STM32F411RE', core: 'cortex-m4f',
    flashBytes: 512 * 1024, ramBytes: 128 * 1024, clockHz: 100_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: ST_LINK_VCP,
    flashMethods: ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader'], firmwareReserve: STM32_FIRMWARE,
  },
  {
    id: 'nucleo-f446re', name: 'STM32 Nucleo-F446RE', mcu: 'STM32F446RE', core: 'cortex-m4f',
    flashBytes: 512 * 1024, ramBytes: 128 * 1024, clockHz: 180_000_000, tickSource: 'DWT cycle counter',
    emulated: false, usb: ST_LINK_VCP,
    flashMethods: ['openocd', 'st-flash', 'mass-storage', 'stm32-serial-bootloader'], firmwareReserve: STM32_FIRMWARE,
  },
];

export const DEFAULT_BOARD_ID = 'qemu-stm32';

export function findBoard(id: string): BoardInfo | undefined {
  return BOARDS.find((b) => b.id === id);
}
