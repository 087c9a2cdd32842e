import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import type { Exchange } from './server';

type Json = Record<string, unknown>;

/** Checks exchanges of the test cloud against resources/openapi.yaml with ajv (JSON Schema 2020-12). */
export function openApiChecker(): { check(ex: Exchange): string[] } {
  const doc = parse(readFileSync(join(import.meta.dirname, '../../../resources/openapi.yaml'), 'utf8')) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: 'openapi.json' });
  const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
  const at = (pointer: string): Json | undefined =>
    pointer
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Json | undefined>((o, k) => o?.[k] as Json | undefined, doc);
  const deref = (pointer: string): string => {
    const ref = at(pointer)?.$ref;
    return typeof ref === 'string' ? ref : pointer;
  };
  return {
    check(ex) {
      const op = `#/paths/${esc(ex.route)}/${ex.method.toLowerCase()}`;
      if (!at(op)) return [`${ex.method} ${ex.route} is not in the API`];
      const exact = `${op}/responses/${ex.status}`;
      const resp = deref(at(exact) ? exact : `${op}/responses/${String(ex.status)[0]}XX`);
      const response = at(resp);
      if (!response) return [`${ex.method} ${ex.route} may not answer ${ex.status}`];
      const errors: string[] = [];
      const validate = (pointer: string, value: unknown, what: string): void => {
        const v = ajv.getSchema(`openapi.json${pointer}`) ?? ajv.compile({ $ref: `openapi.json${pointer}` });
        if (!v(value)) errors.push(`${what}: ${ajv.errorsText(v.errors)}`);
      };
      if (ex.responseBody !== undefined) validate(`${resp}/content/application~1json/schema`, ex.responseBody, `${ex.method} ${ex.route} ${ex.status}`);
      const headers = (response.headers ?? {}) as Json;
      for (const name of Object.keys(headers)) {
        const value = ex.headers[name.toLowerCase()];
        if (value === undefined) continue;
        const h = deref(`${resp}/headers/${esc(name)}`);
        validate(`${h}/schema`, typeof value === 'number' ? value : /^\d+$/.test(value) && name === 'Content-Length' ? Number(value) : value, `header ${name}`);
      }
      if (ex.requestBody !== undefined && at(`${op}/requestBody`)) {
        validate(`${op}/requestBody/content/application~1json/schema`, ex.requestBody, `${ex.method} ${ex.route} request`);
      }
      return errors;
    },
  };
}
