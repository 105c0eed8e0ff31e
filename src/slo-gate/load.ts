import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { ConfigurationError, errorMessage } from '../shared/errors.js';
import type { Slo } from './model.js';
import { convertNative } from './format-native.js';
import { convertOpenSlo } from './format-openslo.js';
import { convertSloth } from './format-sloth.js';

/**
 * Reads SLO files in any of the three formats: this action's own
 * (`apiVersion: slo-gate/v1`), OpenSLO v1 (`apiVersion: openslo/v1`, any
 * number of YAML documents) and Sloth (`version: prometheus/v1`).
 */
export async function loadSloFiles(paths: string[]): Promise<Slo[]> {
  const slos: Slo[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        `SLO file ${path} could not be read (${errorMessage(error)}). ` +
          'Check the slo-file input; paths are relative to the workspace.',
      );
    }
    slos.push(...parseSloText(text, path));
  }
  rejectDuplicates(slos);
  return slos;
}

/** Parses the text of one SLO file; `file` names it in errors. */
export function parseSloText(text: string, file: string): Slo[] {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return [];
  const values: unknown[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) {
      throw new ConfigurationError(
        `${file}: invalid YAML: ${document.errors[0].message}`,
      );
    }
    const value = document.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  if (values.length === 0) {
    throw new ConfigurationError(`${file}: the file has no SLO definitions.`);
  }
  const first = values[0] as Record<string, unknown>;
  if (first?.apiVersion === 'openslo/v1') return convertOpenSlo(values, file);
  if (values.length > 1) {
    throw new ConfigurationError(
      `${file}: only OpenSLO files may hold several YAML documents; ` +
        'split the others into one file each.',
    );
  }
  if (first?.version === 'prometheus/v1') return convertSloth(first, file);
  if (first?.apiVersion === 'slo-gate/v1') return convertNative(first, file);
  throw new ConfigurationError(
    `${file}: unknown SLO format (apiVersion ` +
      `${JSON.stringify(first?.apiVersion ?? first?.version ?? null)}). ` +
      'Use "apiVersion: slo-gate/v1", "apiVersion: openslo/v1" or ' +
      'Sloth\'s "version: prometheus/v1".',
  );
}

function rejectDuplicates(slos: Slo[]): void {
  const seen = new Map<string, string>();
  for (const slo of slos) {
    const id = `${slo.service}/${slo.name}`;
    const other = seen.get(id);
    if (other) {
      throw new ConfigurationError(
        `SLO ${id} is defined twice (${other} and ${slo.source}). ` +
          'Give each SLO of a service its own name.',
      );
    }
    seen.set(id, slo.source);
  }
}
