package io.smcontainers.launcher.train;

import static java.util.Objects.requireNonNull;

import io.smcontainers.framework.spi.UserCodeException;
import io.smcontainers.launcher.code.ProgramCommand;
import io.smcontainers.launcher.process.Command;

/** {@code PROCESS}: the entry point as one process on this host (training contract §7.5). */
final class PlainRunner implements Runner {
    private final UserProcess process;

    PlainRunner(UserProcess process) {
        this.process = requireNonNull(process, "process is null");
    }

    @Override
    public void run(PreparedEntryPoint entry) throws UserCodeException {
        Command command = new Command(
                ProgramCommand.of(entry.type(), entry.entryPoint(), entry.args(), entry.python(), Interpreters.java()),
                entry.codeDir(),
                entry.environment());
        process.run(command, entry.captureError());
    }
}
