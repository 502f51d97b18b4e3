/** Run before each test file (jest `setupFilesAfterEnv`): its temp folders are removed after its tests. */
import { removeTemps } from './helpers';

afterAll(() => removeTemps());
