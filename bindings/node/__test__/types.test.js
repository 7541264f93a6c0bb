// report.d.ts is written by hand; this keeps it honest. Every interface that
// mirrors a type of docs/report.schema.json (the schema generated from the
// core's serde types) must declare the same properties, optional exactly
// where the schema does not require them; and real reports, explanations
// and gate decisions may only carry declared properties.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { Policy } = require('..')
const { PACKAGE_DIR, ROOT, EXAMPLE_POLICY, EXAMPLE_RECORDS } = require('./helpers')

/** interface name → Map(property → {optional, type}) from report.d.ts. */
function parseInterfaces(text) {
  const out = new Map()
  const re = /^export interface (\w+)(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/gm
  for (const [, name, body] of text.matchAll(re)) {
    const props = new Map()
    for (const [, prop, optional, type] of body.matchAll(/^ {2}(\w+)(\?)?: (.+)$/gm)) {
      props.set(prop, { optional: optional === '?', type: type.trim() })
    }
    out.set(name, props)
  }
  return out
}

const dts = parseInterfaces(fs.readFileSync(path.join(PACKAGE_DIR, 'report.d.ts'), 'utf8'))
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'report.schema.json'), 'utf8'))
const mirrored = { Report: schema, ...schema.$defs }

test('report.d.ts declares every type of the report schema', () => {
  for (const name of Object.keys(mirrored)) assert.ok(dts.has(name), `report.d.ts has no interface ${name}`)
})

for (const [name, def] of Object.entries(mirrored)) {
  test(`report.d.ts ${name} matches docs/report.schema.json`, () => {
    const props = dts.get(name)
    assert.ok(props, `no interface ${name}`)
    const expected = Object.keys(def.properties ?? {}).sort()
    assert.deepEqual([...props.keys()].sort(), expected, `${name}: property names`)
    const required = new Set(def.required ?? [])
    for (const [prop, { optional, type }] of props) {
      if (required.has(prop)) {
        assert.equal(optional, false, `${name}.${prop} is required by the schema`)
      } else {
        // Not required: absent from the JSON (optional) or always there as null.
        assert.ok(optional || /\bnull\b/.test(type), `${name}.${prop} may be absent: mark it optional`)
      }
    }
  })
}

/** Every object in `value` carries only properties its interface declares. */
function assertDeclared(value, iface, where, nested) {
  const props = dts.get(iface)
  assert.ok(props, `no interface ${iface}`)
  for (const [k, v] of Object.entries(value)) {
    assert.ok(props.has(k) || iface === 'Finding', `${where}.${k} is not declared in ${iface}`)
    const child = nested[`${iface}.${k}`]
    if (child && v !== null && v !== undefined) {
      if (Array.isArray(v)) v.forEach((x, i) => assertDeclared(x, child, `${where}.${k}[${i}]`, nested))
      else assertDeclared(v, child, `${where}.${k}`, nested)
    }
  }
}

test('a real report and explanation carry only declared properties', () => {
  const policy = Policy.load(EXAMPLE_POLICY)
  const report = policy.evaluateSync(EXAMPLE_RECORDS)
  assertDeclared(report, 'Report', 'report', {
    'Report.engine': 'Engine',
    'Report.policy': 'PolicyInfo',
    'Report.inputs': 'Inputs',
    'Report.results': 'ResultRow',
    'Report.deployments': 'DeploymentEntry',
    'Report.vendors': 'VendorRow',
    'Report.dora': 'Dora',
    'Dora.rows': 'DoraRow',
    'DoraRow.window': 'WindowInfo',
    'DoraRow.segment': 'DoraSegment',
    'DoraRow.deployment_frequency': 'Frequency',
    'DoraRow.lead_time_for_changes': 'LeadTime',
    'DoraRow.change_failure_rate': 'ChangeFailure',
    'DoraRow.time_to_restore': 'Restore',
    'Report.findings': 'Finding',
    'Report.in_force': 'InForce',
    'Report.warnings': 'Warning',
    'ResultRow.window': 'WindowInfo',
    'ResultRow.target': 'TargetInfo',
    'ResultRow.error_budget': 'ErrorBudget',
    'ResultRow.breaches': 'Breach',
    'Breach.records': 'Evidence',
    'InForce.exclusions': 'InForceExclusion',
    'InForce.exceptions': 'InForceException',
  })
  const deployment = report.deployments[0].deployment
  const explanation = policy.explain(EXAMPLE_RECORDS, deployment)
  assertDeclared(explanation, 'Explanation', 'explanation', {
    'Explanation.events': 'TimelineEvent',
    'Explanation.slas': 'SlaExplanation',
    'SlaExplanation.timeline': 'Step',
  })
  // And the required parts of an explanation are there.
  for (const [k, { optional }] of dts.get('Explanation')) if (!optional) assert.ok(k in explanation, `explanation.${k}`)
})

test('real decisions carry only declared properties, and every required one', () => {
  const policy = Policy.fromYaml(`slakit: 1
name: gate-types
timezone: UTC
services: {checkout: {tier: tier1, team: payments}}
tiers: [tier1]
slas:
  - {id: lt, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 1h, objective: 90%}}}
gates:
  blackouts: [{id: close, monthly_last_days: 1}]
  require_canary: [tier1]
  circuit_breaker: {max_breached: 1}
  error_budget: deny_when_exhausted
`)
  const records = [
    { deployment: 'd0', event: 'merged', time: '2026-03-02T10:00:00Z', service: 'checkout' },
    { deployment: 'd0', event: 'succeeded', time: '2026-03-02T14:00:00Z' },
    { kind: 'exception', id: 'EX', from: '2026-03-31T00:00:00Z', to: '2026-04-01T00:00:00Z', emergency: true },
  ]
  const nested = {
    'Decision.reasons': 'GateReason',
    'Decision.findings': 'Finding',
    'Decision.policy': 'PolicyInfo',
  }
  const deny = policy.gateSync(records, { deployment: 'd1', service: 'checkout' }, '2026-03-31T12:00:00Z')
  const override = policy.gateSync(records, { deployment: 'd1', service: 'checkout', release_type: 'emergency' }, '2026-03-31T12:00:00Z')
  assert.equal(deny.decision, 'deny')
  // Every gate denies, so every property of a reason appears somewhere.
  assert.deepEqual(
    deny.reasons.map((r) => r.gate),
    ['blackout', 'require_canary', 'circuit_breaker', 'error_budget'],
  )
  assert.ok(deny.reasons.some((r) => r.evidence))
  assert.equal(override.decision, 'allow')
  assert.equal(override.findings.length, 4)
  for (const [where, decision] of [['deny', deny], ['override', override]]) {
    assertDeclared(decision, 'Decision', where, nested)
    for (const [k, { optional }] of dts.get('Decision')) if (!optional) assert.ok(k in decision, `${where}.${k}`)
    for (const r of decision.reasons) {
      for (const [k, { optional }] of dts.get('GateReason')) if (!optional) assert.ok(k in r, `${where}.reasons.${k}`)
    }
  }
  // The gate names in GateReason are the ones the core writes.
  const gates = dts.get('GateReason').get('gate').type
  for (const r of deny.reasons) assert.ok(gates.includes(`'${r.gate}'`), r.gate)
})

test('Proposed declares exactly the fields the core accepts', () => {
  const policy = Policy.fromObject({ slakit: 1, name: 'x' })
  const at = '2026-03-31T12:00:00Z'
  const props = dts.get('Proposed')
  assert.equal(props.get('deployment').optional, false)
  const all = Object.fromEntries([...props.keys()].map((k) => [k, k === 'deployment' ? 'd1' : null]))
  assert.equal(policy.gateSync([], all, at).decision, 'allow')
  for (const k of props.keys()) {
    if (k !== 'deployment') assert.equal(policy.gateSync([], { deployment: 'd1', [k]: 'x' }, at).decision, 'allow', k)
  }
  assert.throws(() => policy.gateSync([], { deployment: 'd1', attrs: null }, at), (e) => e.code === 'E202' && e.path === '/attrs')
})

test('no duration reaches 2^53 ms: the core refuses one longer than the supported instants', () => {
  const huge = {
    slakit: 1,
    name: 'huge',
    slas: [
      {
        id: 'lt',
        clock: { start: 'merged', stop: 'succeeded' },
        window: 'month',
        targets: { default: { max: '200000000d', objective: '90%' } },
      },
    ],
  }
  assert.throws(() => Policy.fromObject(huge), (e) => e.code === 'E104' && e.kind === 'policy' && /too large/.test(e.message))
  huge.slas[0].targets.default.max = '3600000d'
  const report = Policy.fromObject(huge).evaluateSync([{ deployment: 'd1', event: 'merged', time: '2026-03-02T10:00:00Z', service: 'x' }])
  assert.equal(typeof report.results[0].target.max_ms, 'number')
  assert.ok(Number.isSafeInteger(report.deployments[0].remaining_ms))
})
