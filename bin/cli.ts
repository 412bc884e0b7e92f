// The entry the `knox-guard-sentinel` bin loads (through tsx): runs one admin command and exits
// with its code.
import { runAdminCli } from './adminCli';

process.exitCode = await runAdminCli(process.argv.slice(2), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
});
