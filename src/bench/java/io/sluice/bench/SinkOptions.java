package io.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of the sink benchmark's commands ({@code --name value}, {@code --flag}, positional
 * words), and the key=value results file the commands append to and the report reads.
 */
final class SinkOptions {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    static SinkOptions parse(String[] argv) {
        SinkOptions parsed = new SinkOptions();
        for (int i = 0; i < argv.length; i++) {
            String word = argv[i];
            if (!word.startsWith("--")) {
                parsed.positional.add(word);
                continue;
            }
            String name = word.substring(2);
            String value = "true";
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            }
            parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return parsed;
    }

    String positional(int index) {
        return index < positional.size() ? positional.get(index) : "";
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    String get(String name, String fallback) {
        List<String> values = options.get(name);
        return values == null ? fallback : values.get(values.size() - 1);
    }

    String require(String name) {
        String value = get(name, null);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    int getInt(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }

    double getDouble(String name, double fallback) {
        return Double.parseDouble(get(name, Double.toString(fallback)));
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
