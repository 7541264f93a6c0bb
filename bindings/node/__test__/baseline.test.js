// Baseline (docs/baseline.md): suggested targets from history, equal to
// `slakit baseline` as data and as YAML, for the example policy and for
// the default policy; errors carry the CLI's code.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { Policy } = require('..')
const { runCli, exampleRecordObjects, EXAMPLE_POLICY, EXAMPLE_RECORDS } = require('./helpers')

const AS_OF = '2026-03-31T20:45:00Z'

test('baselineSync equals slakit baseline --format json, and baselineYaml the snippet', async () => {
  const policy = Policy.load(EXAMPLE_POLICY)
  const args = ['baseline', '--policy', 'examples/policy.yaml', '--records', 'examples/records.jsonl', '--as-of', AS_OF]
  const b = policy.baselineSync(exampleRecordObjects(), AS_OF)
  assert.deepStrictEqual(b, JSON.parse(runCli([...args, '--format', 'json'])))
  assert.equal(policy.baselineYaml(exampleRecordObjects(), AS_OF), runCli(args))
  assert.deepStrictEqual(await policy.baseline(EXAMPLE_RECORDS, AS_OF), b)
  assert.equal(b.method, 'nearest-rank')
  const tier1 = b.slas[0].tiers[0]
  assert.equal(tier1.suggestion.percentile, 'p90')
  assert.match(tier1.suggestion.target.max, /^\d+h\d*m?$/)
})

test('the suggestion reproduces its compliance when fed back', () => {
  const records = []
  ;[10, 20, 30, 40, 50].forEach((m, i) => {
    records.push({ deployment: `d${i}`, event: 'merged', time: '2026-03-02T00:00:00Z', service: 'api' })
    records.push({ deployment: `d${i}`, event: 'succeeded', time: new Date(Date.parse('2026-03-02T00:00:00Z') + m * 60000) })
  })
  const sla = (target) => `slakit: 1\nslas:\n  - {id: lt, clock: {start: merged, stop: succeeded}, window: month, targets: {default: ${target}}}\n`
  const b = Policy.fromYaml(sla('{max: 1h, objective: 60%}')).baselineSync(records, '2026-03-20T00:00:00Z')
  const s = b.slas[0].tiers[0].suggestion
  assert.deepStrictEqual(s.target, { max: '30m', objective: '60%' })
  assert.deepStrictEqual([s.compliance.met, s.compliance.of], [3, 5])
  const row = Policy.fromYaml(sla('{max: 30m, objective: 60%}')).evaluateSync(records, '2026-03-20T00:00:00Z').results[0]
  assert.deepStrictEqual([row.met, row.measured], [3, 5])
})

test('the default baseline policy gives a complete policy', () => {
  const b = Policy.defaultBaseline().baselineSync(exampleRecordObjects(), AS_OF)
  assert.equal(b.policy.default, true)
  assert.deepStrictEqual(b, JSON.parse(runCli(['baseline', '--records', 'examples/records.jsonl', '--as-of', AS_OF, '--format', 'json'])))
  const yaml = Policy.defaultBaseline().baselineYaml(exampleRecordObjects(), AS_OF)
  assert.ok(Policy.fromYaml(yaml).check() !== undefined)
})

test('an empty history needs an as_of; bad records are input errors', () => {
  assert.throws(() => Policy.defaultBaseline().baselineSync([]), (e) => e.code === 'E301')
  const b = Policy.defaultBaseline().baselineSync([], AS_OF)
  assert.equal(b.inputs.deployments, 0)
  assert.throws(
    () => Policy.defaultBaseline().baselineSync([{ deployment: 'd', event: 'merged', time: '2026-03-02T00:00:00' }], AS_OF),
    (e) => e.code === 'E203' && e.kind === 'input',
  )
})
