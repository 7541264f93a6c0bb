// Every conformance vector (tests/conformance/) through evaluateSync and
// through evaluate, compared by the rules of tests/conformance/README.md.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const { Policy } = require('..')
const { loadVectors, check } = require('./helpers')

const vectors = loadVectors()

function errorOutcome(e) {
  // Every refusal must be a slakit error, never a stray exception.
  assert.ok(e instanceof Error, `not an Error: ${e}`)
  assert.match(e.code, /^E\d{3}$/, `no stable code on ${e.stack}`)
  return { error: { kind: e.kind, message: e.message } }
}

// evaluateSync: the policy as JSON text, as_of as a string.
function runSync(v) {
  try {
    const policy = Policy.fromJson(JSON.stringify(v.policy))
    return { report: policy.evaluateSync(v.records, v.as_of) }
  } catch (e) {
    return errorOutcome(e)
  }
}

// evaluate: the policy as a plain object, as_of as a Date.
async function runAsync(v) {
  try {
    const policy = Policy.fromObject(v.policy)
    return { report: await policy.evaluate(v.records, new Date(v.as_of)) }
  } catch (e) {
    return errorOutcome(e)
  }
}

test('the vectors are there', () => {
  assert.ok(vectors.length >= 71, `only ${vectors.length} vectors`)
})

for (const [name, v] of vectors) {
  test(`conformance ${name} (evaluateSync)`, () => {
    const diffs = check(v, runSync(v))
    assert.deepEqual(diffs, [], `${name}:\n  ${diffs.join('\n  ')}`)
  })
  test(`conformance ${name} (evaluate)`, async () => {
    const diffs = check(v, await runAsync(v))
    assert.deepEqual(diffs, [], `${name}:\n  ${diffs.join('\n  ')}`)
  })
}

test('the runner detects a wrong expectation', () => {
  const [, v] = vectors.find(([n]) => n.startsWith('001'))
  const outcome = runSync(v)
  assert.deepEqual(check(v, outcome), [])
  const wrong = structuredClone(v)
  wrong.expect.results[0].met = 3
  wrong.expect.deployments[0].elapsed_ms = 1
  assert.equal(check(wrong, outcome).length, 2)
  // And an error where a report is expected, and the reverse.
  assert.equal(check(v, { error: { kind: 'policy', message: 'x' } }).length, 1)
  assert.equal(check({ ...v, expect_error: { kind: 'policy', mentions: [] } }, outcome).length, 1)
})
