/**
 * Sets the shape of V8's heap for the CLI's process, before any other module allocates. Rows move
 * in buffers that live a few milliseconds, whose bytes sit outside the JavaScript heap; left to
 * its defaults, V8 grows the young generation to two 16 MiB semi-spaces, so dead buffers piled up
 * for tens of megabytes between collections, and the longer the run, the higher the peak RSS
 * (BENCHMARKS.md, "Scale 4, and memory across scales"). With the young generation kept at its
 * starting size they are freed within milliseconds of their death. The old generation may grow
 * by one and a half times between full collections (`--heap-growing-percent=150`): V8's own
 * factor, up to fourfold, let the peak of a four-times-longer copy grow by a quarter (MariaDB →
 * PostgreSQL at scale 4: 150 MB, against 126–132 MB at 150 % and 121 MB at 100 %), and lower
 * factors cost CPU where buffers stay long enough to be promoted (PostgreSQL → PostgreSQL: 1.9 CPU s
 * with V8's factor, 2.4 s at 150 %, 3.2 s at 100 %; BENCHMARKS.md, "Scale 4, and memory across
 * scales").
 */
import { setFlagsFromString } from 'node:v8';

// The CLI owns its process; the library leaves an embedding application's heap as it is.
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--heap-growing-percent=150');
