/** QEMU's own output in the log: its "terminating on signal" line is noise when the stop was ours, news otherwise. */
import { strict as assert } from 'node:assert';
import { qemuLogLine } from '../../src/core/device/qemu';

describe('QEMU output relayed to the log', () => {
  const line = 'qemu-system-arm: terminating on signal 15 from pid 4242 (sh)';
  it('drops "terminating on signal" after BNN Studio stopped the board', () => {
    assert.equal(qemuLogLine(line, true), undefined);
    assert.equal(qemuLogLine(`  ${line}  `, true), undefined);
  });
  it('keeps it when QEMU was stopped by someone else', () => {
    assert.equal(qemuLogLine(line, false), `qemu: ${line}`);
  });
  it('keeps any other line, and drops blank ones', () => {
    assert.equal(qemuLogLine('qemu-system-arm: warning: nic stm32 has no peer', true), 'qemu: qemu-system-arm: warning: nic stm32 has no peer');
    assert.equal(qemuLogLine('   ', false), undefined);
  });
});
