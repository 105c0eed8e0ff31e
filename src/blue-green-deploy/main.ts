import '../shared/esm-globals.js';
import * as core from '@actions/core';
import { runAction } from '../shared/run.js';
import { run, runPost } from './run.js';

// The runner gives the post step the state the main step saved.
if (core.getState('isPost') === 'true') {
  void runPost();
} else {
  void runAction(() => run());
}
