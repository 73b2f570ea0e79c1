import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateWebApiTypes, webApiTypesFile } from '../scripts/web-api-types.ts';

describe("the HR workspace's API types", () => {
  it('web/src/hr/api-schema.ts is exactly what the OpenAPI document gives', async () => {
    const fromDocument = await generateWebApiTypes();
    expect(fromDocument, 'the API schema changed: run `npm run web:api-types` and commit the result').toBe(
      await readFile(webApiTypesFile, 'utf8'),
    );
    // The workspace's pages read these; a rename must show up here, not as an empty column.
    expect(fromDocument).toMatch(/'\/v1\/interviews\/\{id\}\/scorecard': \{/);
    expect(fromDocument).toMatch(/candidateName: string;/);
  });
});
