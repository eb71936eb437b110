package io.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU used over a window, in cores, from {@code /proc}: named processes, every process of a
 * command (all {@code postgres} processes, {@code redis-server}: the servers are shared, so
 * this includes other users' work), this JVM, and the whole machine (busy and idle).
 */
final class SinkCpu {

    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;
    private final Map<String, String> commands;
    private long startNanos;
    private Map<String, Long> startTicks;
    private Map<String, Long> startThreads = Map.of();
    private long[] startMachine;
    private Map<String, Double> threads = Map.of();
    private Map<Long, Long> startAll = Map.of();
    private Map<String, Double> others = Map.of();

    /**
     * @param pids processes by name
     * @param commands names and command names ({@code comm}) whose processes are summed
     */
    SinkCpu(Map<String, Long> pids, Map<String, String> commands) {
        this.pids = new LinkedHashMap<>(pids);
        this.pids.put("driver", ProcessHandle.current().pid());
        this.commands = commands;
    }

    static boolean available() {
        return Files.isReadable(Path.of("/proc/stat"));
    }

    void start() {
        startNanos = System.nanoTime();
        startTicks = ticks();
        startThreads = threadTicks(pids.get("sluice"));
        startAll = allTicks();
        startMachine = machine();
    }

    /**
     * After {@link #stop()}: the busiest processes that are neither watched nor counted by
     * command (pid and command name), in cores; processes that ended meanwhile are not seen.
     */
    Map<String, Double> others() {
        return others;
    }

    /**
     * After {@link #stop()}: cores used by each thread of the process named "sluice", by thread
     * name with digits folded (JIT compiler and GC threads included, which JFR's execution
     * samples do not show), largest first.
     */
    Map<String, Double> threads() {
        return threads;
    }

    /** Cores used by each name since {@link #start()}, then "other" (the rest of the machine) and "idle". */
    Map<String, Double> stop() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Long> end = ticks();
        Map<String, Long> endThreads = threadTicks(pids.get("sluice"));
        long[] machine = machine();
        Map<String, Double> byThread = new LinkedHashMap<>();
        endThreads.entrySet().stream()
                .map(e -> Map.entry(
                        e.getKey(),
                        Math.max(0, e.getValue() - startThreads.getOrDefault(e.getKey(), 0L))
                                / TICKS_PER_SECOND
                                / seconds))
                .filter(e -> e.getValue() >= 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> byThread.put(e.getKey(), e.getValue()));
        threads = byThread;
        Map<Long, Long> endAll = allTicks();
        Map<String, Double> busiest = new LinkedHashMap<>();
        endAll.entrySet().stream()
                .filter(e -> startAll.containsKey(e.getKey()) && !pids.containsValue(e.getKey()))
                .map(e -> Map.entry(e.getKey(), (e.getValue() - startAll.get(e.getKey())) / TICKS_PER_SECOND / seconds))
                .filter(e -> e.getValue() >= 0.02)
                .sorted(Map.Entry.<Long, Double>comparingByValue().reversed())
                .limit(4)
                .forEach(e -> {
                    String comm = comm(Path.of("/proc/" + e.getKey()));
                    if (!commands.containsValue(comm)) {
                        busiest.put(comm + "(" + e.getKey() + ")", e.getValue());
                    }
                });
        others = busiest;
        Map<String, Double> cores = new LinkedHashMap<>();
        double watched = 0;
        for (var entry : end.entrySet()) {
            long before = startTicks.getOrDefault(entry.getKey(), 0L);
            double used = Math.max(0, entry.getValue() - before) / TICKS_PER_SECOND / seconds;
            cores.put(entry.getKey(), used);
            watched += used;
        }
        double busy = (machine[0] - startMachine[0]) / TICKS_PER_SECOND / seconds;
        cores.put("other", Math.max(0, busy - watched));
        cores.put("idle", (machine[1] - startMachine[1]) / TICKS_PER_SECOND / seconds);
        return cores;
    }

    static String describe(Map<String, Double> cores) {
        StringBuilder out = new StringBuilder();
        cores.forEach((name, used) -> {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(String.format(Locale.ROOT, "%s %.2f", name, used));
        });
        return out.toString();
    }

    private Map<String, Long> ticks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long t = processTicks(Path.of("/proc/" + pid + "/stat"));
            if (t >= 0) {
                ticks.put(name, t);
            }
        });
        if (!commands.isEmpty()) {
            commands.keySet().forEach(name -> ticks.put(name, 0L));
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                processes
                        .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                        .forEach(p -> {
                            String comm = comm(p);
                            commands.forEach((name, command) -> {
                                if (command.equals(comm)) {
                                    long t = processTicks(p.resolve("stat"));
                                    if (t > 0) {
                                        ticks.merge(name, t, Long::sum);
                                    }
                                }
                            });
                        });
            } catch (IOException e) {
                // No /proc: no figures.
            }
        }
        return ticks;
    }

    /** Ticks of every process. */
    private static Map<Long, Long> allTicks() {
        Map<Long, Long> ticks = new java.util.HashMap<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            processes
                    .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        long t = processTicks(p.resolve("stat"));
                        if (t >= 0) {
                            ticks.put(Long.parseLong(p.getFileName().toString()), t);
                        }
                    });
        } catch (IOException e) {
            // No /proc.
        }
        return ticks;
    }

    /** Ticks by thread name, digits folded ("C2 CompilerThreadN"), of one process. */
    private static Map<String, Long> threadTicks(Long pid) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        if (pid == null) {
            return ticks;
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.forEach(task -> {
                String name = comm(task).replaceAll("[0-9]+", "N");
                long t = processTicks(task.resolve("stat"));
                if (t > 0) {
                    ticks.merge(name, t, Long::sum);
                }
            });
        } catch (IOException | RuntimeException e) {
            // The process is gone.
        }
        return ticks;
    }

    private static String comm(Path process) {
        try {
            return Files.readString(process.resolve("comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** utime + stime of a process (its threads included), or -1 when it is gone. */
    private static long processTicks(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {busy, idle} ticks of all cores. */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return new long[] {busy, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
