/**
 * PENDING (not in the default spec): the training journey on a fresh workspace, the very first run of a new user.
 * It fails today: the run's folder tree appears in one go and the file watcher reports nothing below `.bnn`, so the
 * Experiments tree and the training panel keep showing "running". Run it with
 *   npx mocha --config test/e2e/mocharc.json --spec test/e2e/pending/fresh-workspace-training.e2e.ts
 * and move it up to test/e2e/ once it passes.
 */
import { trainingJourney } from '../../e2e-support/trainingJourney';

trainingJourney(false);
