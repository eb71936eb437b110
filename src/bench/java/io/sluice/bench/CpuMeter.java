package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of named processes (user and system) and of the whole machine over a window, from
 * /proc. On a 2-core machine that runs the load driver, the broker and Sluice together, this
 * says who had the cores — and whether something else (a test suite) took a share of them.
 * For one chosen process it also splits the time by thread name (event loops, Kafka's
 * network thread, GC, JIT), which a sampling profiler cannot: it misses time in the kernel.
 */
final class CpuMeter {

    // USER_HZ is 100 on every Linux this runs on (getconf CLK_TCK).
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;
    private final String threadsOf;
    private Map<String, long[]> startTicks;
    private Map<String, Long> startThreads;
    private Map<Long, Long> startAll;
    private long[] startMachine;
    private long startNanos;

    /**
     * Per process: cores used, its user and system shares; then "other" and "idle", the
     * named process's threads, and the busiest other processes (what "other" was).
     */
    record Usage(
            Map<String, double[]> processes,
            double other,
            double idle,
            Map<String, Double> threads,
            Map<String, Double> others) {}

    /**
     * @param pids name -> pid, in the order they are reported
     * @param threadsOf the name of the process whose threads are reported, or null
     */
    CpuMeter(Map<String, Long> pids, String threadsOf) {
        this.pids = new LinkedHashMap<>(pids);
        this.threadsOf = threadsOf;
    }

    static boolean available() {
        return Files.isReadable(Path.of("/proc/stat"));
    }

    void start() {
        startNanos = System.nanoTime();
        startTicks = processTicks();
        startThreads = threadTicks();
        startAll = allProcessTicks();
        startMachine = machineTicks();
    }

    Usage stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, long[]> endTicks = processTicks();
        Map<String, Long> endThreads = threadTicks();
        Map<Long, Long> endAll = allProcessTicks();
        long[] endMachine = machineTicks();
        Map<String, double[]> processes = new LinkedHashMap<>();
        double watched = 0;
        for (var entry : endTicks.entrySet()) {
            long[] before = startTicks.get(entry.getKey());
            if (before != null) {
                double user = (entry.getValue()[0] - before[0]) / TICKS_PER_SECOND / seconds;
                double system = (entry.getValue()[1] - before[1]) / TICKS_PER_SECOND / seconds;
                processes.put(entry.getKey(), new double[] {user + system, user, system});
                watched += user + system;
            }
        }
        Map<String, Double> threads = new LinkedHashMap<>();
        endThreads.entrySet().stream()
                .map(e -> Map.entry(
                        e.getKey(),
                        (e.getValue() - startThreads.getOrDefault(e.getKey(), 0L)) / TICKS_PER_SECOND / seconds))
                .filter(e -> e.getValue() >= 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> threads.put(e.getKey(), e.getValue()));
        Map<String, Double> others = new LinkedHashMap<>();
        endAll.entrySet().stream()
                .filter(e -> !pids.containsValue(e.getKey()))
                .map(e -> Map.entry(
                        e.getKey(),
                        (e.getValue() - startAll.getOrDefault(e.getKey(), 0L)) / TICKS_PER_SECOND / seconds))
                .filter(e -> e.getValue() >= 0.05)
                .sorted(Map.Entry.<Long, Double>comparingByValue().reversed())
                .limit(3)
                .forEach(e -> others.put(e.getKey() + " " + commandLine(e.getKey()), e.getValue()));
        double busy = (endMachine[0] - startMachine[0]) / TICKS_PER_SECOND / seconds;
        double idle = (endMachine[1] - startMachine[1]) / TICKS_PER_SECOND / seconds;
        return new Usage(processes, Math.max(0, busy - watched), idle, threads, others);
    }

    private Map<String, long[]> processTicks() {
        Map<String, long[]> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long[] t = userSystem(Path.of("/proc/" + pid + "/stat"));
            if (t != null) {
                ticks.put(name, t);
            }
        });
        return ticks;
    }

    /** Ticks by thread name, digits folded ("vert.x-eventloo" for all event loops). */
    private Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        Long pid = threadsOf == null ? null : pids.get(threadsOf);
        if (pid == null) {
            return ticks;
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[0-9]+", "N");
                    long[] t = userSystem(task.resolve("stat"));
                    if (t != null) {
                        ticks.merge(name, t[0] + t[1], Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // The thread ended between listing and reading.
                }
            });
        } catch (IOException e) {
            // The process is gone.
        }
        return ticks;
    }

    /**
     * Every process's ticks, to name what "other" was: its own and those of its children that
     * ended (a build's short-lived compilers and test JVMs show up as the build).
     */
    private static Map<Long, Long> allProcessTicks() {
        Map<Long, Long> ticks = new LinkedHashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        long[] t = userSystem(p.resolve("stat"));
                        if (t != null) {
                            ticks.put(Long.parseLong(p.getFileName().toString()), t[0] + t[1] + t[2] + t[3]);
                        }
                    });
        } catch (IOException e) {
            // No /proc to list: "other" stays unexplained.
        }
        return ticks;
    }

    /** The start of a process's command line, enough to recognise a test run or a build. */
    private static String commandLine(long pid) {
        try {
            String line = Files.readString(Path.of("/proc/" + pid + "/cmdline"))
                    .replace('\0', ' ')
                    .trim();
            String[] words = line.split(" ");
            StringBuilder out = new StringBuilder();
            for (String word : words) {
                // Class paths and JVM flags say little; the program and its main class say what ran.
                if (word.startsWith("-") || word.contains(":/") || word.length() > 80) {
                    continue;
                }
                out.append(out.length() == 0 ? "" : " ").append(word.substring(word.lastIndexOf('/') + 1));
                if (out.length() > 60) {
                    break;
                }
            }
            return out.length() == 0 ? "?" : out.toString();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static long[] userSystem(Path stat) {
        try {
            String line = Files.readString(stat);
            // The command name may contain spaces and parentheses: fields start after the last ')'.
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            // utime, stime, cutime, cstime are fields 14-17 of the full line, 12-15 after "pid (comm) ".
            return new long[] {
                Long.parseLong(fields[11]),
                Long.parseLong(fields[12]),
                Long.parseLong(fields[13]),
                Long.parseLong(fields[14])
            };
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {busy, idle} ticks of all cores. */
    private static long[] machineTicks() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long busy = 0;
            // user nice system idle iowait irq softirq steal
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return new long[] {busy, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException e) {
            return new long[] {0, 0};
        }
    }

    static String describe(Usage usage) {
        StringBuilder out = new StringBuilder();
        usage.processes()
                .forEach((name, u) -> out.append(
                        String.format(Locale.ROOT, "%s %.2f (user %.2f, sys %.2f), ", name, u[0], u[1], u[2])));
        out.append(String.format(Locale.ROOT, "other %.2f, idle %.2f", usage.other(), usage.idle()));
        if (!usage.others().isEmpty()) {
            out.append("\n  other:");
            usage.others().forEach((name, cores) -> out.append(String.format(Locale.ROOT, " %s %.2f;", name, cores)));
        }
        if (!usage.threads().isEmpty()) {
            out.append("\n  threads:");
            usage.threads().forEach((name, cores) -> out.append(String.format(Locale.ROOT, " %s %.2f;", name, cores)));
        }
        return out.toString();
    }
}
