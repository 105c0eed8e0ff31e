// Regenerates the rules, rule tests and dashboard in
// action-templates/slo-gate/generated from the example SLO file:
//   npx tsx test/slo-gate/regenerate-templates.ts [output-dir]
import { memoryLogger } from '../../src/shared/logger.js';
import { writeDashboards, writeRules } from '../../src/slo-gate/generate.js';
import { loadSloFiles } from '../../src/slo-gate/load.js';

export const EXAMPLE = 'action-templates/slo-gate/authz-api.slo.yaml';
export const GENERATED = 'action-templates/slo-gate/generated';

/** Writes every generated file of the example; returns their paths. */
export async function regenerate(dir: string): Promise<string[]> {
  const slos = await loadSloFiles([EXAMPLE]);
  return [
    ...(await writeRules(slos, dir, memoryLogger())),
    ...(await writeDashboards(slos, dir)),
  ];
}

if (process.argv[1]?.endsWith('regenerate-templates.ts')) {
  const files = await regenerate(process.argv[2] ?? GENERATED);
  console.log(files.join('\n'));
}
