/** Chart line colours against the panel background (webview/contrast.ts), with WCAG's formula worked by hand. */
import { strict as assert } from 'node:assert';
import { contrastRatio, ensureContrast, parseColor } from '../../webview/contrast';

describe('chart colour contrast', () => {
  it('parses the colour forms computed styles give', () => {
    assert.deepEqual(parseColor('#fff'), [255, 255, 255]);
    assert.deepEqual(parseColor('#D18616'), [209, 134, 22]);
    assert.deepEqual(parseColor('#d18616cc'), [209, 134, 22]);
    assert.deepEqual(parseColor('rgba(12, 34, 56, 0.5)'), [12, 34, 56]);
    assert.equal(parseColor('var(--x)'), undefined);
  });

  it('computes WCAG contrast: black on white is 21:1, a colour on itself 1:1', () => {
    assert.equal(contrastRatio([0, 0, 0], [255, 255, 255]), 21);
    assert.equal(contrastRatio([209, 134, 22], [209, 134, 22]), 1);
  });

  it('darkens the light theme’s pale orange to 3:1 on white, keeps colours that pass, lightens on dark backgrounds', () => {
    const white = [255, 255, 255] as [number, number, number];
    assert.ok(contrastRatio(parseColor('#d18616')!, white) < 3, 'VS Code light theme orange is below 3:1 on white');
    const fixed = ensureContrast('#d18616', '#ffffff');
    assert.notEqual(fixed, '#d18616');
    assert.ok(contrastRatio(parseColor(fixed)!, white) >= 3);
    // still orange: red > green > blue, as before
    const [r, g, b] = parseColor(fixed)!;
    assert.ok(r > g && g > b, fixed);
    assert.equal(ensureContrast('#1a85ff', '#ffffff'), '#1a85ff');
    const onDark = ensureContrast('#202020', '#1f1f1f');
    assert.ok(contrastRatio(parseColor(onDark)!, parseColor('#1f1f1f')!) >= 3, onDark);
    assert.equal(ensureContrast('not a colour', '#fff'), 'not a colour');
  });
});
