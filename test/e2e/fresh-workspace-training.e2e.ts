/**
 * The training journey on a fresh workspace, the very first run of a new user: no `.bnn/` folder yet, so the run's
 * folder tree appears in one go (the case VS Code's file watcher reports only partly; see
 * src/extension/runningWatchdog.ts).
 */
import { trainingJourney } from '../e2e-support/trainingJourney';

trainingJourney(false);
