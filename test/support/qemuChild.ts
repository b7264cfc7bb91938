// Child process for the orphan tests: starts the emulated board, prints QEMU's pid, then waits to be killed.
import { startEmulatedBoard } from '../../src/core/device/qemu';

startEmulatedBoard({ elf: process.argv[2] }).then((board) => {
  process.stdout.write(`qemu-pid ${board.pid}\n`);
  setInterval(() => {}, 1000);
}, (err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
