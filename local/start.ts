// The embedded default for `npm start`. Until the Knox Guard client and simulator land, it shows
// what the shared error library does with typical Knox Guard answers.
import { decode, KNOX_CODES } from '../lib/errors';

const samples = [
  {
    status: 200,
    body: '{"result":"SUCCESS","objectId":"SDAKJ23DKCMSDAKENXSSAEQ","requestedId":"356938035643809"}',
  },
  {
    status: 400,
    body: '{"result":"FAIL","error":{"code":4001809,"message":"LICENSE_IS_LACK","reason":"No available licence"}}',
  },
  {
    status: 200,
    body: '{"result":"FAIL","error":{"code":"4030104","message":"USER_BLOCKED_STATE","reason":"User is blocked"}}',
  },
  { status: 429, headers: { 'retry-after': '5' }, body: '' },
  { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
  { status: 400, body: '{"result":"FAIL","error":{"code":4002250,"message":"API_KEY_NON_UNIQUE_JWTID"}}' },
];

console.log(
  `knox-guard-sentinel (Node ${process.version}): ${KNOX_CODES.length} Knox Guard codes in the catalog\n`,
);
for (const sample of samples) {
  const result = decode(sample);
  if (result.ok) {
    console.log(`HTTP ${sample.status} -> success`);
  } else {
    const e = result.error;
    console.log(
      `HTTP ${sample.status} -> ${e.codeName} (${e.code}) [${e.category}/${e.severity}${e.retryable ? ', retryable' : ''}]`,
    );
    console.log(`   reason: ${e.reason}`);
    console.log(`   do:     ${e.remediation}`);
  }
}
