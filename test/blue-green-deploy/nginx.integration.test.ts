import { startNginx } from '../helpers/balancers.js';
import { blueGreenScenario } from './scenario.js';

blueGreenScenario('nginx', (service) => startNginx(service));
