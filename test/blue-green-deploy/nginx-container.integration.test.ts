import { startNginxContainer } from '../helpers/balancers.js';
import { blueGreenScenario } from './scenario.js';

// nginx runs as a container on the Docker host; the action reaches it only
// through the Docker API.
blueGreenScenario('nginx-container', (service) => startNginxContainer(service));
