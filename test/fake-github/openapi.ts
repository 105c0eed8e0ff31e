// Validates the fake's requests and responses against GitHub's published
// OpenAPI description (@octokit/openapi, api.github.com.json). The
// document is read, converted and indexed once per process; validators are
// compiled on first use of each operation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, unknown>;

/** One operation of the description, matched to a request path. */
export interface Operation {
  method: string;
  template: string;
  operationId: string;
  params: Record<string, string>;
  spec: Json;
}

interface Indexed {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  spec: Json;
}

let loaded: OpenApi | undefined;

/** Returns the process-wide validator, loading the description once. */
export function openApi(): OpenApi {
  loaded ??= new OpenApi();
  return loaded;
}

export class OpenApi {
  readonly document: Json;
  private readonly ajv: Ajv;
  private readonly operations: Indexed[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    const path =
      require.resolve('@octokit/openapi/generated/api.github.com.json');
    // Component references become absolute so that any part of the
    // document compiles on its own against the schema added below.
    const text = readFileSync(path, 'utf8').replace(
      /"\$ref":\s*"#\/components/g,
      '"$ref":"gh#/components',
    );
    this.document = toJsonSchema(JSON.parse(text)) as Json;
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ components: this.document.components } as Json, 'gh');
    this.index();
  }

  /** Finds the operation for a method and path, or undefined. */
  find(method: string, path: string): Operation | undefined {
    const lower = method.toLowerCase();
    for (const op of this.operations) {
      if (op.method !== lower) continue;
      const match = op.pattern.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(
        op.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]),
      );
      return {
        method: lower,
        template: op.template,
        operationId: String(op.spec.operationId),
        params,
        spec: op.spec,
      };
    }
    return undefined;
  }

  /** Returns schema errors of a JSON request body, or [] when it is valid. */
  validateRequest(op: Operation, body: unknown): string[] {
    const content = (op.spec.requestBody as Json | undefined)?.content as
      Json | undefined;
    const schema = (content?.['application/json'] as Json | undefined)?.schema;
    if (!schema) return [];
    return this.check(`${op.operationId} request`, schema as Json, body);
  }

  /** Returns schema errors of a response, or one error for an undocumented status. */
  validateResponse(op: Operation, status: number, body: unknown): string[] {
    const responses = op.spec.responses as Json;
    let response = responses[String(status)] as Json | undefined;
    if (!response)
      return [`${op.operationId}: status ${status} is not documented`];
    if (typeof response.$ref === 'string') {
      const name = response.$ref.split('/').pop() as string;
      const all = (this.document.components as Json).responses as Json;
      response = all[name] as Json;
    }
    const content = response.content as Json | undefined;
    const schema = (content?.['application/json'] as Json | undefined)?.schema;
    if (!schema) return body === undefined || body === '' ? [] : [];
    return this.check(`${op.operationId} ${status}`, schema as Json, body);
  }

  private check(key: string, schema: Json, value: unknown): string[] {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${key}: ${e.instancePath || '/'} ${e.message ?? ''}`);
  }

  private index(): void {
    const paths = this.document.paths as Record<string, Json>;
    for (const [template, item] of Object.entries(paths)) {
      const names: string[] = [];
      const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      for (const [method, spec] of Object.entries(item)) {
        if (typeof spec !== 'object' || !spec || !('responses' in spec))
          continue;
        this.operations.push({
          method,
          template,
          pattern: new RegExp(`^${source}$`),
          names,
          spec: spec as Json,
        });
      }
    }
    // Literal segments win over parameters: `/pulls/comments` before `/pulls/{n}`.
    this.operations.sort((a, b) => a.names.length - b.names.length);
  }
}

/** Rewrites OpenAPI 3.0 `nullable: true` into JSON Schema `null` types. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples') out[key] = value;
    else out[key] = toJsonSchema(value);
  }
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) {
      out.enum = [...out.enum, null];
    }
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}
