import { compareVersions, parseVersion } from './metadata/versions.js';
import type { Advisory, Severity, UpdatedDependency } from './types.js';

/** The fields of a Dependabot alert (REST alerts API) that matching reads. */
export interface AlertRecord {
  number: number;
  state: string;
  dependency: {
    package?: { ecosystem: string; name: string };
    manifest_path?: string;
  };
  security_advisory: {
    ghsa_id: string;
    severity: string;
    cvss?: { score: number | null } | null;
    cvss_severities?: {
      cvss_v3?: { score: number | null } | null;
      cvss_v4?: { score: number | null } | null;
    } | null;
  };
  security_vulnerability: {
    first_patched_version: { identifier: string } | null;
  };
}

/** Alert ecosystems (GitHub Advisory Database) by dependabot.yml name. */
const ALERT_ECOSYSTEM: Record<string, string> = {
  npm: 'npm',
  pip: 'pip',
  uv: 'pip',
  bundler: 'rubygems',
  maven: 'maven',
  gradle: 'maven',
  nuget: 'nuget',
  composer: 'composer',
  gomod: 'go',
  cargo: 'rust',
  'github-actions': 'actions',
  pub: 'pub',
  mix: 'erlang',
  swift: 'swift',
};

/**
 * Returns the open alert for this package and manifest directory that the
 * new version fixes, or undefined. Only an alert makes an update a security
 * update: titles, labels and update types never do.
 */
export function findAdvisory(
  dependency: UpdatedDependency,
  alerts: AlertRecord[],
): Advisory | undefined {
  const ecosystem = ALERT_ECOSYSTEM[dependency.ecosystem];
  const alert = alerts.find(
    (a) =>
      a.state === 'open' &&
      a.dependency.package?.name === dependency.name &&
      (ecosystem === undefined ||
        a.dependency.package?.ecosystem === ecosystem) &&
      manifestDirectory(a.dependency.manifest_path) === dependency.directory &&
      fixes(
        dependency.newVersion,
        a.security_vulnerability.first_patched_version?.identifier,
      ),
  );
  if (!alert) return undefined;
  const advisory = alert.security_advisory;
  return {
    ghsaId: advisory.ghsa_id,
    cvss: cvssScore(advisory),
    severity: advisory.severity as Severity,
    alertNumber: alert.number,
    state: alert.state,
  };
}

function cvssScore(advisory: AlertRecord['security_advisory']): number {
  const severities = advisory.cvss_severities;
  return (
    severities?.cvss_v4?.score ??
    severities?.cvss_v3?.score ??
    advisory.cvss?.score ??
    0
  );
}

/** `web/package-lock.json` lies in `/web`; a root manifest in `/`. */
export function manifestDirectory(path: string | undefined): string {
  if (!path) return '';
  const parts = path.split('/').slice(0, -1);
  return `/${parts.join('/')}`;
}

/** True when `version` is the first patched version or later. */
function fixes(version: string, patched: string | undefined): boolean {
  if (!patched || !parseVersion(version) || !parseVersion(patched))
    return false;
  if (version.replace(/^v/, '') === patched.replace(/^v/, '')) return true;
  return compareVersions(patched, version) !== 'unknown';
}
