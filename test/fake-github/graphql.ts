// GraphQL for the fake: each document is parsed and validated against
// GitHub's published schema (@octokit/graphql-schema), then executed with
// graphql-js over the fake's state, so results have the schema's shape.
import { schema as published } from '@octokit/graphql-schema';
import {
  buildSchema,
  execute,
  parse,
  validate,
  type GraphQLSchema,
} from 'graphql';
import type { Reply } from './server.js';
import type { FakeState } from './state.js';

/** Root fields by name; each receives the field's arguments. */
export type GraphqlResolvers = Record<
  string,
  (args: Record<string, unknown>, state: FakeState) => unknown
>;

let schema: GraphQLSchema | undefined;

/** Returns GitHub's schema, built once per process. */
export function githubSchema(): GraphQLSchema {
  // The published SDL repeats two enterprise fields, which graphql-js
  // rejects as invalid SDL; they are outside anything the fake uses.
  schema ??= buildSchema(published.idl, { assumeValidSDL: true });
  return schema;
}

export function handleGraphql(
  state: FakeState,
  resolvers: GraphqlResolvers,
  text: string,
  violations: string[],
): Reply {
  const { query, variables } = JSON.parse(text || '{}') as {
    query?: string;
    variables?: Record<string, unknown>;
  };
  let document;
  try {
    document = parse(query ?? '');
  } catch (error) {
    violations.push(`GraphQL syntax: ${(error as Error).message}`);
    return {
      status: 200,
      body: { errors: [{ message: (error as Error).message }] },
    };
  }
  const errors = validate(githubSchema(), document);
  if (errors.length > 0) {
    violations.push(...errors.map((e) => `GraphQL: ${e.message}`));
    return {
      status: 200,
      body: { errors: errors.map((e) => ({ message: e.message })) },
    };
  }
  const root = Object.fromEntries(
    Object.entries(resolvers).map(([name, fn]) => [
      name,
      (args: Record<string, unknown>) => fn(args, state),
    ]),
  );
  const result = execute({
    schema: githubSchema(),
    document,
    rootValue: root,
    variableValues: variables,
  }) as {
    data?: unknown;
    errors?: readonly {
      message: string;
      path?: readonly (string | number)[];
    }[];
  };
  const body: Record<string, unknown> = { data: result.data ?? null };
  if (result.errors) {
    body.errors = result.errors.map((e) => ({
      type: 'UNPROCESSABLE',
      message: e.message,
      path: e.path,
    }));
  }
  return { status: 200, body };
}
