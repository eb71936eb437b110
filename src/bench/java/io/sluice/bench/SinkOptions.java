package io.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of the sink benchmark's commands, as {@link Args} reads them, with what only they
 * need: the {@code --watch name=pid} processes, and the key=value results file the commands
 * append to and the report reads.
 */
final class SinkOptions {

    private final Args args;

    private SinkOptions(Args args) {
        this.args = args;
    }

    static SinkOptions parse(String[] argv) {
        return new SinkOptions(Args.parse(argv));
    }

    String positional(int index) {
        return args.positional(index, "");
    }

    boolean has(String name) {
        return args.has(name);
    }

    String get(String name, String fallback) {
        return args.get(name, fallback);
    }

    String require(String name) {
        return args.require(name);
    }

    List<String> all(String name) {
        return args.all(name);
    }

    int getInt(String name, int fallback) {
        return args.getInt(name, fallback);
    }

    double getDouble(String name, double fallback) {
        return args.getDouble(name, fallback);
    }

    /** {@code --watch name=pid} options, in order. */
    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String w : all("watch")) {
            String[] nameAndPid = w.split("=", 2);
            if (nameAndPid.length == 2 && !nameAndPid[1].isBlank()) {
                pids.put(nameAndPid[0], Long.parseLong(nameAndPid[1].trim()));
            }
        }
        return pids;
    }

    /** Appends {@code values} to the {@code --result} file, if one is given. */
    void record(Map<String, String> values) throws IOException {
        String file = get("result", null);
        if (file == null) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        values.forEach((k, v) ->
                lines.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
        Files.writeString(
                Path.of(file), lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Reads a results file: the last value of each key wins. */
    static Map<String, String> readResults(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }
}
