#!/usr/bin/env node
/** Entry point of the `poa-validator` binary. */
// First: libp2p needs Promise.withResolvers, which Node 20 lacks.
import '../util/polyfills.js';
import { runCli } from './program.js';

const code = await runCli(process.argv);
// On success `start` leaves the node running; the signal handlers end the process.
if (code !== 0) process.exit(code);
