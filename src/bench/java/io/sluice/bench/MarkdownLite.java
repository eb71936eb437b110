package io.sluice.bench;

import java.util.List;

/**
 * Just enough markdown for the benchmarks' own tables: headings, "- " lists, pipe tables,
 * paragraphs, **bold** and `code`. Not a general renderer: it reads only what the benchmark
 * reports write.
 */
final class MarkdownLite {

    private MarkdownLite() {}

    static String toHtml(String markdown) {
        StringBuilder html = new StringBuilder();
        List<String> lines = markdown.lines().toList();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank()) {
                i++;
            } else if (line.startsWith("#")) {
                int level = line.startsWith("##") ? 4 : 3;
                html.append("<h")
                        .append(level)
                        .append('>')
                        .append(inline(line.replaceFirst("^#+\\s*", "")))
                        .append("</h")
                        .append(level)
                        .append(">\n");
                i++;
            } else if (line.startsWith("|")) {
                html.append("<table>\n");
                boolean header = true;
                for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
                    String row = lines.get(i).trim();
                    if (row.matches("\\|[-:| ]+\\|")) {
                        continue;
                    }
                    String cell = header ? "th" : "td";
                    html.append("<tr>");
                    for (String value : row.substring(1, row.length() - 1).split("\\|", -1)) {
                        html.append('<')
                                .append(cell)
                                .append('>')
                                .append(inline(value.trim()))
                                .append("</")
                                .append(cell)
                                .append('>');
                    }
                    html.append("</tr>\n");
                    header = false;
                }
                html.append("</table>\n");
            } else if (line.startsWith("- ")) {
                html.append("<ul>\n");
                for (; i < lines.size() && lines.get(i).startsWith("- "); i++) {
                    html.append("<li>")
                            .append(inline(lines.get(i).substring(2)))
                            .append("</li>\n");
                }
                html.append("</ul>\n");
            } else {
                StringBuilder paragraph = new StringBuilder();
                for (; i < lines.size() && isParagraphLine(lines.get(i)); i++) {
                    paragraph
                            .append(paragraph.length() == 0 ? "" : " ")
                            .append(lines.get(i).trim());
                }
                html.append("<p>").append(inline(paragraph.toString())).append("</p>\n");
            }
        }
        return html.toString();
    }

    private static boolean isParagraphLine(String line) {
        return !line.isBlank() && !line.startsWith("#") && !line.startsWith("|") && !line.startsWith("- ");
    }

    private static String inline(String text) {
        return SvgChart.escape(text)
                .replaceAll("\\*\\*(.+?)\\*\\*", "<b>$1</b>")
                .replaceAll("`(.+?)`", "<code>$1</code>");
    }
}
