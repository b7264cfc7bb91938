// Holds an experiment folder's lock, as a live trainer does, until it is killed. Prints "locked <pid>" once it has it.
import { acquireLock } from '../../src/core/experiments/lock';

acquireLock(process.argv[2], 'training');
process.stdout.write(`locked ${process.pid}\n`);
setInterval(() => undefined, 1 << 30);
