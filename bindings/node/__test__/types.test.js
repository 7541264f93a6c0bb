// report.d.ts is written by hand; this keeps it honest. Every interface that
// mirrors a type of docs/report.schema.json (the schema generated from the
// core's serde types) must declare the same properties, optional exactly
// where the schema does not require them; and real reports and
// explanations may only carry declared properties.
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
