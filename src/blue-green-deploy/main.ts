import '../shared/esm-globals.js';
import { runAction } from '../shared/run.js';
import { run } from './run.js';

void runAction(() => run());
