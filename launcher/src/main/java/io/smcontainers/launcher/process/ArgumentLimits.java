package io.smcontainers.launcher.process;

import io.smcontainers.env.core.EnvironmentLog;
import io.smcontainers.launcher.error.LauncherException;
import io.smcontainers.launcher.error.LauncherException.Category;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The kernel refused to start a process because its arguments and environment are too big ({@code E2BIG}): one string
 * over {@code MAX_ARG_STRLEN} (128 KiB) or all of them over {@code ARG_MAX} (a quarter of the stack limit, 2 MiB by
 * default). Typically a huge hyperparameter, which every user process gets several times ({@code SM_HP_<NAME>},
 * {@code SM_HPS}, {@code SM_TRAINING_ENV}, the arguments). The report names the limits and the largest strings by name
 * and size, and stays far below the 1024 characters SageMaker shows: never the values themselves.
 */
final class ArgumentLimits {
    /** errno E2BIG, the exit code of the reference (Python exits with an OSError's errno). */
    static final int E2BIG = 7;

    static final int MAX_ARG_STRLEN = 32 * 4096;
    private static final int SHOWN = 3;
    private static final int PREFIX_CHARS = 24;

    private ArgumentLimits() {}

    static boolean isTooLong(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("error=7,") || message.contains("Argument list too long");
    }

    private record Item(String name, long bytes, String prefix) {}

    static LauncherException tooLong(Command command, IOException e) {
        List<Item> items = new ArrayList<>();
        long total = 0;
        List<String> argv = command.argv();
        for (int i = 0; i < argv.size(); i++) {
            String argument = argv.get(i);
            long bytes = utf8Length(argument) + 1;
            total += bytes;
            String option = i > 0 && argv.get(i - 1).startsWith("-") ? argv.get(i - 1) : null;
            boolean secret = option != null && EnvironmentLog.isSecretKey(option.replaceFirst("^-+", ""));
            items.add(new Item(
                    "argument " + i
                            + (option == null ? "" : " (the value of " + EnvironmentLog.shorten(option, 60) + ")"),
                    bytes,
                    secret ? null : argument));
        }
        for (Map.Entry<String, String> variable : command.environment().entrySet()) {
            String name = variable.getKey();
            long bytes = utf8Length(name) + 1 + utf8Length(variable.getValue()) + 1;
            total += bytes;
            boolean plainValue = name.startsWith("SM_HP_") && !EnvironmentLog.isSecretKey(name.substring(6));
            items.add(new Item(
                    "variable " + EnvironmentLog.shorten(name, 60), bytes, plainValue ? variable.getValue() : null));
        }
        items.sort(Comparator.comparingLong(Item::bytes).reversed());
        StringBuilder largest = new StringBuilder();
        for (Item item : items.subList(0, Math.min(SHOWN, items.size()))) {
            append(largest, item);
        }
        // the hyperparameter behind SM_HPS / SM_TRAINING_ENV is what the user can change: name the largest one
        items.stream()
                .filter(item -> item.name().startsWith("variable SM_HP_"))
                .findFirst()
                .ifPresent(item -> {
                    largest.append(". Largest hyperparameter: ");
                    append(largest, item);
                });
        return new LauncherException(
                Category.USER,
                E2BIG,
                "Cannot start " + EnvironmentLog.shorten(argv.get(0), 100)
                        + ": its arguments and environment are too big for the kernel (E2BIG, errno 7). Linux takes at most "
                        + MAX_ARG_STRLEN
                        + " bytes per argument or variable (MAX_ARG_STRLEN) and about a quarter of the stack limit "
                        + "for all of them (ARG_MAX, 2 MiB by default); this command has " + total + " bytes in "
                        + argv.size()
                        + " arguments and " + command.environment().size() + " variables. Largest: " + largest
                        + ". A hyperparameter reaches the process several times (SM_HP_<NAME>, SM_HPS, SM_TRAINING_ENV, the "
                        + "arguments): pass large data as a file (an input channel or the source directory), not as a hyperparameter",
                e);
    }

    private static void append(StringBuilder out, Item item) {
        out.append(out.length() > 0 && out.charAt(out.length() - 1) != ' ' ? "; " : "")
                .append(item.name())
                .append(": ")
                .append(item.bytes())
                .append(" bytes");
        if (item.prefix() != null && item.prefix().length() > PREFIX_CHARS) {
            out.append(" (")
                    .append(EnvironmentLog.shorten(item.prefix(), PREFIX_CHARS).replace("\n", "\\n"))
                    .append(')');
        }
    }

    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
