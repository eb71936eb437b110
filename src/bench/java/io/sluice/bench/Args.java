package io.sluice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value}, {@code --name=value} and bare {@code --flag} options, plus positional words. */
final class Args {

    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final List<String> rest = new ArrayList<>();

    static Args parse(String[] argv) {
        Args args = new Args();
        for (int i = 0; i < argv.length; i++) {
            String word = argv[i];
            if (word.equals("--")) {
                args.rest.addAll(List.of(argv).subList(i + 1, argv.length));
                break;
            }
            if (!word.startsWith("--")) {
                args.positional.add(word);
                continue;
            }
            String name = word.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                value = argv[++i];
            } else {
                value = "true";
            }
            args.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return args;
    }

    String positional(int index, String fallback) {
        return index < positional.size() ? positional.get(index) : fallback;
    }

    /** Words after {@code --}, e.g. a command to run. */
    List<String> rest() {
        return rest;
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

    /** Seconds, fractions allowed ({@code 0.5}). */
    Duration getSeconds(String name, double fallbackSeconds) {
        return Duration.ofNanos(Math.round(getDouble(name, fallbackSeconds) * 1e9));
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(get(name, "false"));
    }
}
