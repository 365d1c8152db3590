import { describe, expect, it } from 'vitest';
import { DEFAULT_JOB_OPTIONS, resolveJobOptions } from '../../../functions/pipeline/job-options.ts';
import { buildRequest, normalizeKeys } from '../../../functions/pipeline/request.ts';
import type { Json } from '../../../functions/pipeline/types.ts';

describe('normalizeKeys', () => {
  it.each<[string, Json, Json]>([
    [
      'top-level request fields',
      {
        generation_config: { max_output_tokens: 5, top_p: 0.5 },
        system_instruction: { parts: [] },
      },
      { generationConfig: { maxOutputTokens: 5, topP: 0.5 }, systemInstruction: { parts: [] } },
    ],
    [
      'parts',
      [
        { inline_data: { mime_type: 'image/png', data: 'AA==' } },
        { file_data: { file_uri: 'gs://b/o' } },
      ],
      [
        { inlineData: { mimeType: 'image/png', data: 'AA==' } },
        { fileData: { fileUri: 'gs://b/o' } },
      ],
    ],
    ['camelCase untouched', { generationConfig: { topK: 3 } }, { generationConfig: { topK: 3 } }],
    [
      'tools',
      {
        tools: [{ code_execution: {} }, { google_search: {} }],
        tool_config: { function_calling_config: { mode: 'ANY' } },
      },
      {
        tools: [{ codeExecution: {} }, { googleSearch: {} }],
        toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      },
    ],
    [
      'labels and metadata keep keys',
      { labels: { team_name: 'x' }, metadata: { row_id: 1 } },
      { labels: { team_name: 'x' }, metadata: { row_id: 1 } },
    ],
    [
      'responseSchema properties keep names, schema fields camelCase',
      {
        response_schema: {
          type: 'OBJECT',
          properties: {
            final_answer: {
              type: 'ARRAY',
              max_items: 2,
              items: { type: 'OBJECT', properties: { sub_field: { type: 'STRING' } } },
            },
          },
          property_ordering: ['final_answer'],
        },
      },
      {
        responseSchema: {
          type: 'OBJECT',
          properties: {
            final_answer: {
              type: 'ARRAY',
              maxItems: 2,
              items: { type: 'OBJECT', properties: { sub_field: { type: 'STRING' } } },
            },
          },
          propertyOrdering: ['final_answer'],
        },
      },
    ],
    [
      'responseJsonSchema verbatim',
      {
        response_json_schema: {
          type: 'object',
          properties: { my_field: { type: 'string' } },
          additional_properties: false,
        },
      },
      {
        responseJsonSchema: {
          type: 'object',
          properties: { my_field: { type: 'string' } },
          additional_properties: false,
        },
      },
    ],
    [
      'function parameters and call args',
      {
        tools: [
          {
            function_declarations: [
              {
                name: 'f',
                parameters: { type: 'OBJECT', properties: { user_id: { type: 'STRING' } } },
              },
            ],
          },
        ],
        contents: [
          {
            parts: [
              { function_call: { name: 'f', args: { user_id: 'u' } } },
              { function_response: { name: 'f', response: { the_result: 1 } } },
            ],
          },
        ],
      },
      {
        tools: [
          {
            functionDeclarations: [
              {
                name: 'f',
                parameters: { type: 'OBJECT', properties: { user_id: { type: 'STRING' } } },
              },
            ],
          },
        ],
        contents: [
          {
            parts: [
              { functionCall: { name: 'f', args: { user_id: 'u' } } },
              { functionResponse: { name: 'f', response: { the_result: 1 } } },
            ],
          },
        ],
      },
    ],
    [
      'values are never changed',
      { text: 'snake_case_value', arr: ['a_b'] },
      { text: 'snake_case_value', arr: ['a_b'] },
    ],
    ['scalars', 'x_y', 'x_y'],
  ])('%s', (_name, input, output) => {
    expect(normalizeKeys(input)).toEqual(output);
  });
});

describe('buildRequest', () => {
  const job = resolveJobOptions({
    system: 'job sys',
    generationConfig: { temperature: 1, topK: 4 },
  });

  it('wraps a string prompt and adds the code-execution tool', () => {
    expect(buildRequest({ prompt: 'hi' }, DEFAULT_JOB_OPTIONS)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      tools: [{ codeExecution: {} }],
    });
  });

  it('merges generationConfig job < request < line and picks system line > request > job', () => {
    const request = {
      contents: [{ parts: [{ text: 'x' }] }],
      generation_config: { temperature: 0.5, seed: 1 },
      system_instruction: { parts: [{ text: 'req sys' }] },
    };
    expect(buildRequest({ request }, job)).toMatchObject({
      systemInstruction: { parts: [{ text: 'req sys' }] },
      generationConfig: { temperature: 0.5, topK: 4, seed: 1 },
    });
    expect(buildRequest({ request, config: { seed: 2 }, system: 'line sys' }, job)).toMatchObject({
      systemInstruction: { parts: [{ text: 'line sys' }] },
      generationConfig: { temperature: 0.5, topK: 4, seed: 2 },
    });
    expect(buildRequest({ prompt: 'x' }, job).systemInstruction).toEqual({
      parts: [{ text: 'job sys' }],
    });
  });

  it('keeps the request own tools (even an empty list) and drops its model', () => {
    const r = buildRequest(
      { request: { model: 'models/x', contents: [{ parts: [{ text: 'x' }] }], tools: [] } },
      DEFAULT_JOB_OPTIONS,
    );
    expect(r.tools).toEqual([]);
    expect(r).not.toHaveProperty('model');
  });

  it('accepts a string systemInstruction and passes other fields through', () => {
    const r = buildRequest(
      {
        request: {
          contents: [{ role: 'user', parts: [{ text: 'x' }] }],
          systemInstruction: 's',
          safety_settings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
          cached_content: 'cachedContents/1',
        },
      },
      DEFAULT_JOB_OPTIONS,
    );
    expect(r).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      systemInstruction: { parts: [{ text: 's' }] },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      cachedContent: 'cachedContents/1',
      tools: [{ codeExecution: {} }],
    });
  });

  it('treats a list of contents as turns and a list of parts as one user turn', () => {
    expect(
      buildRequest({ prompt: [{ text: 'a' }, { text: 'b' }] }, DEFAULT_JOB_OPTIONS).contents,
    ).toEqual([{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }] }]);
    expect(
      buildRequest(
        { prompt: [{ parts: [{ text: 'a' }] }, { role: 'model', parts: [{ text: 'b' }] }] },
        DEFAULT_JOB_OPTIONS,
      ).contents,
    ).toEqual([
      { role: 'user', parts: [{ text: 'a' }] },
      { role: 'model', parts: [{ text: 'b' }] },
    ]);
  });
});
