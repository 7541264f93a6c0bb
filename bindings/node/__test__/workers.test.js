// ADVERSARIAL 40 / issue 9 §5: determinism under concurrency across
// worker_threads. Each worker loads the addon and the same policy and
// evaluates the same records, all at once; every report is byte-identical to
// the main thread's. (A Policy object belongs to one JS realm, so each worker
// compiles its own from the same file: the shared part is the engine.)
'use strict'

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { Policy } = require('..')
const { EXAMPLE_POLICY, EXAMPLE_RECORDS } = require('./helpers')

const ADDON = path.resolve(__dirname, '..')

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { Policy } = require(workerData.addon)
const policy = Policy.load(workerData.policy)
const out = []
for (let i = 0; i < workerData.rounds; i++) {
  out.push(JSON.stringify(policy.evaluateSync(workerData.records, workerData.asOf)))
}
Promise.all([policy.evaluate(workerData.records, workerData.asOf)]).then(([async]) => {
  out.push(JSON.stringify(async))
  parentPort.postMessage(out)
})
`

function runWorker(rounds) {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, {
      eval: true,
      workerData: { addon: ADDON, policy: EXAMPLE_POLICY, records: EXAMPLE_RECORDS, asOf: '2026-03-31T00:00:00Z', rounds },
    })
    w.once('message', resolve)
    w.once('error', reject)
    w.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`))
    })
  })
}

test('ADVERSARIAL 40: 8 worker threads evaluating one policy file give identical bytes', async () => {
  const expected = JSON.stringify(Policy.load(EXAMPLE_POLICY).evaluateSync(EXAMPLE_RECORDS, '2026-03-31T00:00:00Z'))
  const results = await Promise.all(Array.from({ length: 8 }, () => runWorker(2)))
  assert.equal(results.length, 8)
  for (const reports of results) {
    assert.equal(reports.length, 3)
    for (const r of reports) assert.equal(r, expected)
  }
})
