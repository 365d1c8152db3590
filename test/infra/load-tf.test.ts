import { describe, expect, it } from 'vitest';
import { expandForEach, resolve, type Block, type Infra } from './load-tf.ts';

const body: Block = {
  for_each: '${local.routes}',
  name: '${var.prefix}-${each.key}-push',
  topic: '${each.value.topic}',
  key: '${each.key}',
  push_config: [
    {
      push_endpoint:
        '${google_cloudfunctions2_function.fn[each.value.function].service_config[0].uri}',
    },
  ],
  dead_letter_policy: [{ dead_letter_topic: '${google_pubsub_topic.dead[each.key].id}' }],
};
const routes: Block = {
  uploads: { topic: '${google_pubsub_topic.uploads.id}', function: 'on_upload' },
  jobs: { topic: '${google_pubsub_topic.jobs.id}', function: 'on_job' },
};

describe('expandForEach', () => {
  it('makes one instance per key with each.key and each.value substituted', () => {
    const out = expandForEach(body, routes);
    expect(Object.keys(out)).toEqual(['uploads', 'jobs']);
    expect(out.uploads).toEqual({
      name: '${var.prefix}-uploads-push',
      topic: '${google_pubsub_topic.uploads.id}',
      key: 'uploads',
      push_config: [
        {
          push_endpoint: '${google_cloudfunctions2_function.fn["on_upload"].service_config[0].uri}',
        },
      ],
      dead_letter_policy: [{ dead_letter_topic: '${google_pubsub_topic.dead["uploads"].id}' }],
    });
    expect(out.jobs?.topic).toBe('${google_pubsub_topic.jobs.id}');
  });

  it('names the key when each.value lacks a field', () => {
    expect(() => expandForEach({ x: '${each.value.nope}' }, routes)).toThrow(
      'each.value.nope is missing for key uploads',
    );
  });
});

describe('resolve', () => {
  it('follows ["key"] indexes into variable defaults', () => {
    const infra: Infra = {
      files: {},
      resources: {},
      variables: { functions: { default: { on_batch: { timeout_seconds: 540 } } } },
      locals: {},
      outputs: {},
    };
    expect(resolve(infra, '${var.functions["on_batch"].timeout_seconds}')).toBe(540);
    expect(resolve(infra, '${var.functions.on_batch.timeout_seconds}')).toBe(540);
    expect(() => resolve(infra, '${var.functions["on_job"].timeout_seconds}')).toThrow('no value');
  });
});
