// Regenerates examples/*.bnn.json from the templates, so the bundled examples and "New Model" never drift apart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEMPLATES, templateText } from '../src/core/model/templates';

for (const t of TEMPLATES) writeFileSync(join(__dirname, '..', 'examples', `${t.id}.bnn.json`), templateText(t));
