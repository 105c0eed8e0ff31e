import { startHaproxy } from '../helpers/balancers.js';
import { blueGreenScenario } from './scenario.js';

blueGreenScenario('haproxy', startHaproxy);
