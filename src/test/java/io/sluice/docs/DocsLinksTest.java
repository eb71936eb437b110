package io.sluice.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the pages under docs/ link to each other: every relative link must reach a file
 * or directory, and every #anchor a heading of its target (GitHub's slugs). The README stays
 * short, with the two commands in its first screen.
 */
class DocsLinksTest {

    /** The working directory of the tests is the project root (as in io.sluice.deploy.AppFacts). */
    static final Path ROOT = Path.of("").toAbsolutePath();

    static final Path README = ROOT.resolve("README.md");

    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)(.+?)\\1", Pattern.DOTALL);
    /** [text](target) or ![alt](target), text possibly with one level of nested brackets, an optional title. */
    private static final Pattern LINK = Pattern.compile(
            "!?\\[(?:[^\\[\\]]++|\\[[^\\[\\]]*+\\])*+\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** A script of the project named in prose or a command: scripts/name (not scripts/lib/...). */
    private static final Pattern SCRIPT = Pattern.compile("(?<![\\w/.-])scripts/[a-z][a-z0-9-]*(?![\\w/.-])");

    @Test
    void everyRelativeLinkAndAnchorResolves() {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            for (String target : links(page)) {
                check(page, target).ifPresent(problem -> broken.add(ROOT.relativize(page) + ": " + problem));
            }
        }
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void theReadmeIsShortAndStartsWithTheTwoCommands() throws IOException {
        List<String> lines = Files.readAllLines(README);
        assertThat(lines).as("README.md lines").hasSizeLessThanOrEqualTo(300);
        String firstScreen = String.join("\n", lines.subList(0, Math.min(40, lines.size())));
        assertThat(firstScreen).contains("scripts/run-local").contains("mvn verify");
    }

    /**
     * A command the README or a page tells the reader to run must exist: every {@code scripts/...}
     * it names is an executable file, and CI runs the README's test command.
     */
    @Test
    void everyScriptTheDocsNameExistsAndCiRunsTheReadmesTestCommand() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path page : pages()) {
            Matcher script = SCRIPT.matcher(Files.readString(page));
            while (script.find()) {
                Path file = ROOT.resolve(script.group());
                if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
                    missing.add(ROOT.relativize(page) + ": " + script.group());
                }
            }
        }
        assertThat(missing).as("scripts named but not there").isEmpty();
        assertThat(Files.readString(README)).contains("mvn verify ");
        assertThat(Files.readString(ROOT.resolve(".ci/run"))).contains("\nmvn -B verify\n");
    }

    @Test
    void slugsFollowGitHub() {
        assertThat(slug("The sink: Kafka → Redis → PostgreSQL, exactly once"))
                .isEqualTo("the-sink-kafka--redis--postgresql-exactly-once");
        assertThat(slug("`POST /v1/events`")).isEqualTo("post-v1events");
        assertThat(slug("Where the time goes now (JFR, 20:02 run)")).isEqualTo("where-the-time-goes-now-jfr-2002-run");
        assertThat(slug("The sink's crash test: `SinkCrashIT`")).isEqualTo("the-sinks-crash-test-sinkcrashit");
        assertThat(slug("[Linked](x.md) *and* __strong__ text")).isEqualTo("linked-and-strong-text");
        assertThat(slug("The `sluice_sink_lag` and snake_case_name"))
                .isEqualTo("the-sluice_sink_lag-and-snake_case_name");
        assertThat(anchors(List.of("# A", "## A", "```", "# Not a heading", "```", "## A")))
                .containsExactly("a", "a-1", "a-2");
    }

    /** README.md and every Markdown file under docs/. */
    static List<Path> pages() {
        List<Path> pages = new ArrayList<>();
        pages.add(README);
        try (Stream<Path> files = Files.walk(ROOT.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(pages::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pages;
    }

    /** The link targets of a page, outside code blocks and code spans. */
    static List<String> links(Path page) {
        String prose = String.join("\n", outsideFences(readLines(page)));
        prose = INLINE_CODE.matcher(prose).replaceAll("code");
        List<String> targets = new ArrayList<>();
        Matcher m = LINK.matcher(prose);
        while (m.find()) {
            targets.add(m.group(1));
        }
        return targets;
    }

    /** Why a link of a page is broken, if it is. */
    static java.util.Optional<String> check(Path page, String target) {
        if (target.isEmpty()) {
            return java.util.Optional.of("empty link target");
        }
        if (SCHEME.matcher(target).find()) {
            return java.util.Optional.empty(); // http:, https:, mailto: ...
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty()
                ? page
                : page.getParent()
                        .resolve(URLDecoder.decode(path, StandardCharsets.UTF_8))
                        .normalize();
        if (!Files.exists(resolved)) {
            return java.util.Optional.of(target + ": no such file or directory " + ROOT.relativize(resolved));
        }
        if (anchor != null) {
            if (!resolved.toString().endsWith(".md") || Files.isDirectory(resolved)) {
                return java.util.Optional.of(target + ": an anchor into something that is not a Markdown file");
            }
            Set<String> anchors = anchors(readLines(resolved));
            if (!anchors.contains(anchor)) {
                return java.util.Optional.of(
                        target + ": no heading with the anchor #" + anchor + " in " + ROOT.relativize(resolved));
            }
        }
        return java.util.Optional.empty();
    }

    /** The anchors GitHub gives a page's headings, duplicates numbered -1, -2, ... */
    static Set<String> anchors(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : outsideFences(lines)) {
            Matcher m = HEADING.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String base = slug(m.group(2));
            int n = seen.merge(base, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? base : base + "-" + n);
        }
        return anchors;
    }

    /**
     * GitHub's slug of a heading: its text as rendered (links reduced to their text, emphasis and
     * code markers gone), lower-cased, every character but letters, digits, marks, spaces,
     * hyphens and underscores dropped, each space a hyphen.
     */
    static String slug(String heading) {
        StringBuilder text = new StringBuilder();
        Matcher code = INLINE_CODE.matcher(heading);
        int end = 0;
        while (code.find()) {
            text.append(plain(heading.substring(end, code.start()))).append(code.group(2));
            end = code.end();
        }
        text.append(plain(heading.substring(end)));
        return text.toString()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                .replace(' ', '-');
    }

    /** Markdown outside code spans as rendered text: links reduced to their text, emphasis markers gone. */
    private static String plain(String markdown) {
        return markdown.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .replaceAll("\\*\\*(.+?)\\*\\*", "$1")
                .replaceAll("\\*(.+?)\\*", "$1")
                .replaceAll("(?<![\\p{L}\\p{N}])__(.+?)__(?![\\p{L}\\p{N}])", "$1")
                .replaceAll("(?<![\\p{L}\\p{N}])_(.+?)_(?![\\p{L}\\p{N}])", "$1");
    }

    /** The lines of a page that are not inside a fenced code block (fences themselves dropped). */
    static List<String> outsideFences(List<String> lines) {
        List<String> prose = new ArrayList<>();
        String fence = null;
        for (String line : lines) {
            Matcher m = FENCE.matcher(line);
            if (fence == null && m.find()) {
                fence = m.group(1);
                prose.add("");
            } else if (fence != null) {
                if (line.strip().startsWith(fence)) {
                    fence = null;
                }
                prose.add("");
            } else {
                prose.add(line);
            }
        }
        return prose;
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
