import { optionTable } from '../options';

/** `go run`'s build flags (`go help build`): those that take a value; the rest stand alone (`-race`, `-trimpath`). */
export const GO_RUN = optionTable({
  value: [
    '-C',
    '-p',
    '-asmflags',
    '-buildmode',
    '-compiler',
    '-covermode',
    '-coverpkg',
    '-exec',
    '-gccgoflags',
    '-gcflags',
    '-installsuffix',
    '-ldflags',
    '-mod',
    '-modfile',
    '-overlay',
    '-pgo',
    '-pkgdir',
    '-tags',
    '-toolexec',
  ],
});
