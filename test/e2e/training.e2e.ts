/** `npm run test:e2e`: the training journey on a workspace that already has its `.bnn/experiments/` folder. */
import { trainingJourney } from '../e2e-support/trainingJourney';

trainingJourney(true);
