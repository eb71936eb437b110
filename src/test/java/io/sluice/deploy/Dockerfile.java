package io.sluice.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as text: its instructions with continuation lines joined and comments
 * dropped, and the build arguments' defaults substituted into FROM. No Docker engine is needed.
 */
record Dockerfile(List<Instruction> instructions, Map<String, String> args) {

    record Instruction(String keyword, String arguments) {}

    /** COPY: its --flags, sources and destination. */
    record Copy(Map<String, String> flags, List<String> sources, String destination) {}

    private static final Pattern ARG_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    static Dockerfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> instructions = new ArrayList<>();
        Map<String, String> args = new HashMap<>();
        StringBuilder current = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split("\\s+", 2);
            Instruction instruction =
                    new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].strip() : "");
            instructions.add(instruction);
            if (instruction.keyword().equals("ARG") && instruction.arguments().contains("=")) {
                String[] kv = instruction.arguments().split("=", 2);
                args.put(kv[0].strip(), kv[1].strip());
            }
        }
        return new Dockerfile(List.copyOf(instructions), Map.copyOf(args));
    }

    List<String> all(String keyword) {
        return instructions.stream()
                .filter(i -> i.keyword().equals(keyword))
                .map(Instruction::arguments)
                .toList();
    }

    /** The single value of an instruction that must appear once (in the final stage). */
    String last(String keyword) {
        List<String> values = all(keyword);
        if (values.isEmpty()) {
            throw new AssertionError("no " + keyword);
        }
        return values.get(values.size() - 1);
    }

    /** The base image with ARG defaults substituted. */
    String baseImage() {
        String from = last("FROM").split("\\s+")[0];
        Matcher m = ARG_REFERENCE.matcher(from);
        StringBuilder resolved = new StringBuilder();
        while (m.find()) {
            String value = args.get(m.group(1));
            if (value == null) {
                throw new AssertionError("FROM uses ${" + m.group(1) + "} without a default");
            }
            m.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        m.appendTail(resolved);
        return resolved.toString();
    }

    /** ENV values (KEY=value form, quotes removed). */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\\S+)");
        for (String arguments : all("ENV")) {
            Matcher m = pair.matcher(arguments);
            while (m.find()) {
                String value = m.group(2);
                if (value.length() >= 2
                        && (value.startsWith("\"") && value.endsWith("\"")
                                || value.startsWith("'") && value.endsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                env.put(m.group(1), value);
            }
        }
        return env;
    }

    List<Copy> copies() {
        List<Copy> copies = new ArrayList<>();
        for (String arguments : all("COPY")) {
            Map<String, String> flags = new HashMap<>();
            List<String> paths = new ArrayList<>();
            for (String token : arguments.split("\\s+")) {
                if (token.startsWith("--")) {
                    String[] kv = token.substring(2).split("=", 2);
                    flags.put(kv[0], kv.length > 1 ? kv[1] : "");
                } else {
                    paths.add(token);
                }
            }
            if (paths.size() < 2) {
                throw new AssertionError("COPY without source or destination: " + arguments);
            }
            copies.add(new Copy(flags, List.copyOf(paths.subList(0, paths.size() - 1)), paths.get(paths.size() - 1)));
        }
        return copies;
    }

    /** The exec form of ENTRYPOINT, as its elements. */
    List<String> entrypoint() {
        String value = last("ENTRYPOINT").strip();
        if (!value.startsWith("[") || !value.endsWith("]")) {
            throw new AssertionError("ENTRYPOINT in shell form: signals would not reach the process");
        }
        return Arrays.stream(value.substring(1, value.length() - 1).split(","))
                .map(String::strip)
                .map(s -> s.substring(1, s.length() - 1))
                .toList();
    }
}
