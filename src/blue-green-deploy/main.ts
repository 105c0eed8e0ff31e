import '../shared/esm-globals.js';
import Docker from 'dockerode';
import * as core from '@actions/core';
import { runAction } from '../shared/run.js';

void runAction(async () => {
  const docker = new Docker();
  core.info(`docker client ${typeof docker.ping}`);
});
