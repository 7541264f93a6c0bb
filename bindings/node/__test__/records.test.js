// Records given as objects mean what JSON.stringify would write: the same
// report — inputs digest and warnings included — as the same records read
// from a file, for every corner of the JS → JSON mapping.
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { Policy } = require('..')
const { EXAMPLE_POLICY } = require('./helpers')

const policy = Policy.load(EXAMPLE_POLICY)
const AS_OF = '2026-03-31T00:00:00Z'

function viaFile(t, records) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slakit-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'records.jsonl')
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n')
  return policy.evaluateSync(file, AS_OF)
}

class Instant {
  constructor(text) {
    this.text = text
  }
  toJSON() {
    return this.text
  }
}

function tricky() {
  const inherited = Object.create({ environment: 'staging' }) // inherited: not read
  Object.assign(inherited, { deployment: 'D-2', event: 'merged', time: '2026-03-03T15:00:00Z', service: 'search' })
  const withGetter = { deployment: 'D-2', event: 'health_validated', service: 'search' }
  Object.defineProperty(withGetter, 'time', { enumerable: true, get: () => '2026-03-04T15:00:00Z' })
  Object.defineProperty(withGetter, 'hidden', { enumerable: false, value: 'not read' })
  return [
    {
      deployment: 'D-1',
      event: 'merged',
      time: new Date('2026-03-02T15:00:00.250Z'),
      service: 'checkout',
      environment: 'production',
      release_type: undefined,
      pipeline: 'https://ci.example/1', // unknown field: W001
      attrs: {
        n: 1,
        negativeZero: -0,
        f: 1.5,
        big: 2 ** 60,
        huge: 1e21,
        tiny: 5e-324,
        skipped: undefined,
        fn() {},
        [Symbol('s')]: 1,
        list: [1, undefined, () => 1, Symbol('x'), null, 'x', { nested: new Date(0) }],
        map: new Map([['a', 1]]),
        unicode: 'é 🚀 \u2028',
      },
    },
    { deployment: 'D-1', event: 'started', time: new Instant('2026-03-02T16:00:00-05:00') },
    { deployment: 'D-1', event: 'health_validated', time: '2026-03-02T17:30:00-05:00', id: null },
    inherited,
    withGetter,
    { kind: 'outage', service: 'checkout', from: new Date('2026-03-05T10:00:00Z'), to: new Date('2026-03-05T10:30:00Z') },
  ]
}

test('tricky objects give the report of JSON.stringify → file', (t) => {
  const records = tricky()
  const fromObjects = policy.evaluateSync(records, AS_OF)
  const fromFile = viaFile(t, records)
  assert.deepStrictEqual(fromObjects, fromFile)
  assert.equal(fromObjects.inputs.records, 6)
  assert.ok(fromObjects.warnings.some((w) => w.code === 'W001' && w.message.includes('pipeline')))
  // The inherited `environment: staging` was not read: D-2 has no environment.
  const d2 = fromObjects.deployments.find((d) => d.deployment === 'D-2')
  assert.ok(d2 === undefined || !('environment' in d2))
})

test('bigints within 64 bits are integers, like the numbers they equal', () => {
  const base = { deployment: 'D-1', event: 'merged', time: '2026-03-02T15:00:00Z', service: 'checkout' }
  const a = policy.evaluateSync([{ ...base, attrs: { n: 5n, m: -(2n ** 53n) } }], AS_OF)
  const b = policy.evaluateSync([{ ...base, attrs: { n: 5, m: -(2 ** 53) } }], AS_OF)
  assert.equal(a.inputs.digest, b.inputs.digest)
})

test('a getter or toJSON that throws is an E200 error, and nothing is left pending', async () => {
  const base = { deployment: 'D-1', event: 'merged', time: '2026-03-02T15:00:00Z', service: 'checkout' }
  const getter = { ...base }
  Object.defineProperty(getter, 'attrs', {
    enumerable: true,
    get() {
      throw new Error('boom')
    },
  })
  const e = (() => {
    try {
      policy.evaluateSync([base, getter], AS_OF)
    } catch (err) {
      return err
    }
  })()
  assert.equal(e.code, 'E200')
  assert.equal(e.recordIndex, 1)
  assert.equal(e.path, '/attrs')
  assert.match(e.message, /boom/)
  const viaToJson = { ...base, time: { toJSON: () => { throw new TypeError('no instant') } } }
  const rejected = await policy.evaluate([viaToJson], AS_OF).catch((err) => err)
  assert.equal(rejected.code, 'E200')
  assert.equal(rejected.path, '/time')
  assert.match(rejected.message, /no instant/)
  // The engine still works on the same thread.
  assert.equal(policy.evaluateSync([base], AS_OF).inputs.records, 1)
})

test('a Proxy is read through its traps', () => {
  const target = { deployment: 'D-9', event: 'merged', time: '2026-03-02T15:00:00Z', service: 'checkout' }
  const proxy = new Proxy(target, {})
  assert.deepStrictEqual(policy.evaluateSync([proxy], AS_OF), policy.evaluateSync([target], AS_OF))
})
