/**
 * Sets the shape of V8's heap for the CLI's process, before any other module allocates. Rows move
 * in buffers that live a few milliseconds, whose bytes sit outside the JavaScript heap; left to
 * its defaults, V8 grows the young generation to two 16 MiB semi-spaces, so dead buffers piled up
 * for tens of megabytes between collections, and the longer the run, the higher the peak RSS
 * (BENCHMARKS.md, "Scale 4, and memory across scales"). With the young generation kept at its
 * starting size they are freed within milliseconds of their death. The old generation keeps V8's
 * own growth: held to a tenth (`--heap-growing-percent=10`) it cost two CPU seconds of full
 * collections per 1.6 million rows copied and lowered no peak (BENCHMARKS.md, "After these tables").
 */
import { setFlagsFromString } from 'node:v8';

// The CLI owns its process; the library leaves an embedding application's heap as it is.
setFlagsFromString('--semi-space-growth-factor=1');
