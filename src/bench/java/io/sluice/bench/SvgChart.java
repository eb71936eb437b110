package io.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: x is seconds from each series' start, y one quantity. Written by
 * hand so that the report is one self-contained HTML file that opens anywhere, offline, with no
 * script and no plotting library to install.
 */
final class SvgChart {

    /** One line: its label, its points (x, y) in order of x, and whether it is drawn dashed. */
    record Line(String label, List<double[]> points, boolean dashed) {}

    // Colour-blind-safe palette (Okabe and Ito); a label keeps its colour across a benchmark's charts.
    private static final String[] COLOURS = {
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"
    };
    private static final int WIDTH = 820;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 190;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private final String title;
    private final String yLabel;
    private final List<Line> lines = new ArrayList<>();
    private final List<String> colourOrder;

    /** @param colourOrder labels in the order their colours are assigned (lines share a label's colour) */
    SvgChart(String title, String yLabel, List<String> colourOrder) {
        this.title = title;
        this.yLabel = yLabel;
        this.colourOrder = colourOrder;
    }

    SvgChart add(Line line) {
        if (!line.points().isEmpty()) {
            lines.add(line);
        }
        return this;
    }

    boolean isEmpty() {
        return lines.isEmpty();
    }

    String render() {
        double maxX = 1;
        double maxY = 0;
        for (Line line : lines) {
            for (double[] p : line.points()) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        double yStep = niceStep(maxY > 0 ? maxY : 1);
        double yTop = Math.ceil((maxY > 0 ? maxY : 1) / yStep) * yStep;
        double xStep = niceStep(maxX);
        double xRight = Math.ceil(maxX / xStep) * xStep;
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"%s\">%n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT,
                escape(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                LEFT,
                escape(title)));
        for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
            double py = TOP + plotHeight - y / yTop * plotHeight;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT,
                    py,
                    LEFT + plotWidth,
                    py,
                    LEFT - 6,
                    py + 4,
                    tick(y)));
        }
        for (double x = 0; x <= xRight + xStep / 2; x += xStep) {
            double px = LEFT + x / xRight * plotWidth;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px,
                    TOP,
                    px,
                    TOP + plotHeight,
                    px,
                    TOP + plotHeight + 15,
                    tick(x)));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds from the phase's start</text>%n"
                        + "<text transform=\"translate(14 %d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n",
                LEFT + plotWidth / 2,
                HEIGHT - 6,
                TOP + plotHeight / 2,
                escape(yLabel)));
        int legendY = TOP + 4;
        for (Line line : lines) {
            String colour = colourOf(line.label());
            String dash = line.dashed() ? " stroke-dasharray=\"5 3\"" : "";
            StringBuilder points = new StringBuilder();
            for (double[] p : line.points()) {
                points.append(String.format(
                        Locale.ROOT,
                        "%.1f,%.1f ",
                        LEFT + p[0] / xRight * plotWidth,
                        TOP + plotHeight - p[1] / yTop * plotHeight));
            }
            svg.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"%s\"/>%n",
                    colour,
                    dash,
                    points.toString().trim()));
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + plotWidth + 10,
                    legendY,
                    LEFT + plotWidth + 30,
                    legendY,
                    colour,
                    dash,
                    LEFT + plotWidth + 35,
                    legendY + 4,
                    escape(line.label())));
            legendY += 16;
        }
        return svg.append("</svg>\n").toString();
    }

    private String colourOf(String label) {
        String base = label.replaceAll(" (p50|p99|heap|rss)$", "");
        int index = colourOrder.indexOf(base);
        return COLOURS[Math.floorMod(index < 0 ? base.hashCode() : index, COLOURS.length)];
    }

    /** 1, 2 or 5 times a power of ten, giving 4 to 10 grid lines up to {@code max}. */
    static double niceStep(double max) {
        double raw = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static String tick(double value) {
        if (value >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", value / 1e6).replace(".0M", "M");
        }
        if (value >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", value / 1e3);
        }
        return value == Math.rint(value)
                ? String.format(Locale.ROOT, "%,.0f", value)
                : String.format(Locale.ROOT, "%.3g", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
