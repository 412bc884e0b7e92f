// Validation in this service uses valibot through a namespace import in each module
// (`import * as v from 'valibot'`), which esbuild tree-shakes to the functions a bundle calls.
// What is here is what several schemas or their callers share.
export { emailAddress } from './emailAddress';
export { formatIssues, issuePath } from './formatIssues';
export { nonArray } from './nonArray';
export { sqsText } from './sqsText';
