package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.Reports.Row;
import dev.pipeline.rpc.tck.latency.LatencyResult;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the comparison: one row per payload size; on the left the sequential latency percentiles (log scale), on
 * the right the throughput at each in-flight level, one bar colour per broker and implementation. Written as PNG
 * with Java2D (headless); when the JVM cannot draw text (no fonts) it writes the same picture as SVG instead.
 */
final class Chart {
    private static final int PANEL_W = 620;
    private static final int PANEL_H = 330;
    private static final int MARGIN_L = 80;
    private static final int TOP = 70;
    private static final int GAP_Y = 70;
    private static final int LEGEND_LINE = 22;
    /** Legend width per character, for sizing the picture before a canvas exists (wider than any real font's). */
    private static final double LEGEND_CHAR_WIDTH = 8.5;
    private static final String[] PCT_LABELS = {"p50", "p90", "p99", "p99.9"};

    private Chart() {
    }

    /** Writes {@code chart.png} (or {@code chart.svg} when text cannot be drawn) and returns the file written. */
    static Path write(ComparisonResult r, Path dir) throws IOException {
        List<Row> rows = Reports.rows(r);
        List<Integer> payloads = r.options().payloads();
        int width = MARGIN_L * 2 + PANEL_W * 2 + 90;
        List<String> series = series(rows);
        int legendLines = legendLines(series, t -> t.length() * LEGEND_CHAR_WIDTH, width - 2.0 * MARGIN_L);
        int height = TOP + payloads.size() * (PANEL_H + GAP_Y) + 80 + (legendLines - 1) * LEGEND_LINE;
        try {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            Canvas c = new Java2dCanvas(g);
            c.text("x", 0, 0, 10, false, Align.LEFT, Color.WHITE); // fails here when there are no fonts
            draw(c, r, rows, payloads, width, height);
            g.dispose();
            Path png = dir.resolve("chart.png");
            ImageIO.write(img, "png", png.toFile());
            return png;
        } catch (Error | RuntimeException e) { // e.g. no fonts on a minimal JRE: fall back to SVG
            SvgCanvas svg = new SvgCanvas(width, height);
            draw(svg, r, rows, payloads, width, height);
            Path file = dir.resolve("chart.svg");
            Files.writeString(file, svg.finish(), StandardCharsets.UTF_8);
            return file;
        }
    }

    private static void draw(Canvas c, ComparisonResult r, List<Row> rows, List<Integer> payloads, int width,
                             int height) {
        c.rect(0, 0, width, height, Color.WHITE);
        c.text("Pipeline broker comparison: sequential latency and throughput", MARGIN_L, 32, 20, true, Align.LEFT,
                Color.BLACK);
        c.text(subtitle(r), MARGIN_L, 54, 12, false, Align.LEFT, Color.DARK_GRAY);
        List<String> series = series(rows);
        for (int i = 0; i < payloads.size(); i++) {
            int p = payloads.get(i);
            int y0 = TOP + i * (PANEL_H + GAP_Y) + 30;
            List<Row> at = rows.stream().filter(row -> row.payload == p).toList();
            latencyPanel(c, at, series, MARGIN_L, y0, Reports.size(p));
            throughputPanel(c, at, series, r.options().inFlight(), MARGIN_L * 2 + PANEL_W + 60, y0, Reports.size(p));
        }
        // legend, wrapped to the picture's width
        double[][] at = legendLayout(series, s -> c.textWidth(s, 13), width - 2.0 * MARGIN_L);
        int lines = at.length == 0 ? 1 : (int) at[at.length - 1][1] + 1;
        int top = height - 34 - (lines - 1) * LEGEND_LINE;
        for (int i = 0; i < series.size(); i++) {
            double lx = MARGIN_L + at[i][0];
            double ly = top + at[i][1] * LEGEND_LINE;
            c.rect(lx, ly - 11, 14, 14, color(series, series.get(i)));
            c.text(series.get(i), lx + 20, ly + 1, 13, false, Align.LEFT, Color.BLACK);
        }
    }

    /** One series per broker and implementation, in the rows' order. */
    private static List<String> series(List<Row> rows) {
        List<String> series = new ArrayList<>();
        for (Row row : rows) {
            String key = row.broker + " " + row.name;
            if (!series.contains(key)) {
                series.add(key);
            }
        }
        return series;
    }

    private static String subtitle(ComparisonResult r) {
        String cores = r.machine().getOrDefault("cores", "?");
        return String.format(Locale.ROOT, "%s cores, %s; %s per point; closed loop; log scales", cores,
                r.machine().getOrDefault("java", ""), Durations.format(r.options().duration()));
    }

    private static void latencyPanel(Canvas c, List<Row> rows, List<String> series, int x0, int y0, String payload) {
        List<double[]> values = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Row row : rows) {
            LatencyResult s = row.at(1);
            if (s != null) {
                values.add(new double[] {s.p50Micros(), s.p90Micros(), s.p99Micros(), s.p999Micros()});
                names.add(row.broker + " " + row.name);
            }
        }
        c.text("Sequential latency (µs), payload " + payload, x0, y0 - 10, 15, true, Align.LEFT, Color.BLACK);
        bars(c, x0, y0, PCT_LABELS, names, values, series, true, "µs");
    }

    private static void throughputPanel(Canvas c, List<Row> rows, List<String> series, List<Integer> levels, int x0,
                                        int y0, String payload) {
        String[] groups = levels.stream().map(l -> l + " in flight").toArray(String[]::new);
        List<double[]> values = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Row row : rows) {
            double[] v = new double[levels.size()];
            boolean any = false;
            for (int i = 0; i < v.length; i++) {
                LatencyResult x = row.at(levels.get(i));
                v[i] = x == null ? Double.NaN : x.throughputPerSecond();
                any |= x != null;
            }
            if (any) {
                values.add(v);
                names.add(row.broker + " " + row.name);
            }
        }
        c.text("Throughput (calls/s), payload " + payload, x0, y0 - 10, 15, true, Align.LEFT, Color.BLACK);
        bars(c, x0, y0, groups, names, values, series, true, "/s");
    }

    /** Grouped bars on a log axis: one group per label, one bar per series, value printed above each bar. */
    private static void bars(Canvas c, int x0, int y0, String[] groups, List<String> names, List<double[]> values,
                             List<String> series, boolean log, String unit) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (double[] v : values) {
            for (double d : v) {
                if (d > 0 && !Double.isNaN(d)) {
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                }
            }
        }
        c.rect(x0, y0, PANEL_W, PANEL_H, new Color(0xf7f7f7));
        if (values.isEmpty() || max <= 0) {
            c.text("not measured", x0 + PANEL_W / 2.0, y0 + PANEL_H / 2.0, 14, false, Align.CENTER, Color.GRAY);
            return;
        }
        double lo = Math.pow(10, Math.floor(Math.log10(min)));
        double hi = Math.pow(10, Math.ceil(Math.log10(max * 1.05)));
        ToDoubleFunction<Double> yOf = v -> y0 + PANEL_H - (Math.log10(v) - Math.log10(lo))
                / (Math.log10(hi) - Math.log10(lo)) * PANEL_H;
        // grid: 1-2-5 per decade
        for (double d = lo; d <= hi * 1.0001; d *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                double v = d * m;
                if (v > hi * 1.0001) {
                    break;
                }
                double y = yOf.applyAsDouble(v);
                c.line(x0, y, x0 + PANEL_W, y, m == 1 ? new Color(0xbbbbbb) : new Color(0xe0e0e0), 1);
                c.text(axis(v), x0 - 6, y + 4, 11, false, Align.RIGHT, Color.DARK_GRAY);
            }
        }
        double groupW = (double) PANEL_W / groups.length;
        double barW = Math.min(34, (groupW - 16) / Math.max(1, names.size()));
        for (int gi = 0; gi < groups.length; gi++) {
            double gx = x0 + gi * groupW + (groupW - barW * names.size()) / 2;
            c.text(groups[gi], x0 + gi * groupW + groupW / 2, y0 + PANEL_H + 18, 12, false, Align.CENTER,
                    Color.BLACK);
            for (int si = 0; si < names.size(); si++) {
                double v = values.get(si)[gi];
                if (Double.isNaN(v) || v <= 0) {
                    continue;
                }
                double y = yOf.applyAsDouble(v);
                double bx = gx + si * barW;
                c.rect(bx + 1, y, barW - 2, y0 + PANEL_H - y, color(series, names.get(si)));
                if (barW >= 18) {
                    c.textVertical(axis(v), bx + barW / 2 + 4, y - 4, 10, Color.BLACK);
                }
            }
        }
        c.line(x0, y0 + PANEL_H, x0 + PANEL_W, y0 + PANEL_H, Color.BLACK, 1);
        c.line(x0, y0, x0, y0 + PANEL_H, Color.BLACK, 1);
    }

    static String axis(double v) {
        if (v >= 1_000_000) {
            return trim(v / 1_000_000) + "M";
        }
        if (v >= 1000) {
            return trim(v / 1000) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        if (v >= 100 || Math.abs(v - Math.round(v)) < 0.05) {
            return Long.toString(Math.round(v));
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.1f", v);
    }

    /**
     * The colour of one series: a hue per broker and kind (Pipeline, floor, competitor, diagnostic), and within a hue
     * a different shade for each series of that kind in {@code all}, so that every bar and legend entry differs.
     */
    static Color color(List<String> all, String series) {
        int base = base(series);
        int k = 0;
        for (String other : all) {
            if (other.equals(series)) {
                break;
            }
            if (base(other) == base) {
                k++;
            }
        }
        return shade(new Color(base), k);
    }

    private static int base(String series) {
        boolean kafka = series.startsWith("kafka");
        if (series.contains("floor")) {
            return kafka ? 0x9cc3e6 : 0xf1a9a0;
        }
        if (series.contains("pipeline")) {
            return kafka ? 0x1f5fa8 : 0xc0392b;
        }
        if (series.contains("transport only")) {
            return kafka ? 0x17a589 : 0x7d6608;
        }
        return kafka ? 0xf39c12 : 0x8e44ad;
    }

    /** Shade {@code k} of a colour: 0 is the colour, then alternately darker and lighter, further each time. */
    private static Color shade(Color c, int k) {
        if (k == 0) {
            return c;
        }
        double f = 0.28 * ((k + 1) / 2);
        boolean darker = k % 2 == 1;
        return new Color(mix(c.getRed(), f, darker), mix(c.getGreen(), f, darker), mix(c.getBlue(), f, darker));
    }

    private static int mix(int v, double f, boolean darker) {
        double t = Math.min(f, 0.85);
        return (int) Math.round(darker ? v * (1 - t) : v + (255 - v) * t);
    }

    /** Legend entries laid out left to right, wrapped at {@code maxWidth}: the number of lines. */
    static int legendLines(List<String> series, ToDoubleFunction<String> width, double maxWidth) {
        double[][] at = legendLayout(series, width, maxWidth);
        return at.length == 0 ? 1 : (int) at[at.length - 1][1] + 1;
    }

    /** Where each legend entry goes: its x offset and its line (from 0), wrapped at {@code maxWidth}. */
    private static double[][] legendLayout(List<String> series, ToDoubleFunction<String> width, double maxWidth) {
        double[][] at = new double[series.size()][];
        int line = 0;
        double x = 0;
        for (int i = 0; i < at.length; i++) {
            double w = 30 + width.applyAsDouble(series.get(i));
            if (x > 0 && x + w > maxWidth) {
                line++;
                x = 0;
            }
            at[i] = new double[] {x, line};
            x += w;
        }
        return at;
    }

    enum Align { LEFT, CENTER, RIGHT }

    /** The few drawing operations the chart needs, on Java2D or SVG. */
    interface Canvas {
        void rect(double x, double y, double w, double h, Color fill);

        void line(double x1, double y1, double x2, double y2, Color color, float width);

        void text(String s, double x, double y, int size, boolean bold, Align align, Color color);

        /** Text rotated 90° counter-clockwise, its baseline start at (x, y), reading upwards. */
        void textVertical(String s, double x, double y, int size, Color color);

        double textWidth(String s, int size);
    }

    static final class Java2dCanvas implements Canvas {
        private final Graphics2D g;

        Java2dCanvas(Graphics2D g) {
            this.g = g;
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill) {
            g.setColor(fill);
            g.fill(new java.awt.geom.Rectangle2D.Double(x, y, w, h));
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, Color color, float width) {
            g.setColor(color);
            g.setStroke(new BasicStroke(width));
            g.draw(new java.awt.geom.Line2D.Double(x1, y1, x2, y2));
        }

        @Override
        public void text(String s, double x, double y, int size, boolean bold, Align align, Color color) {
            Font f = new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size);
            g.setFont(f);
            g.setColor(color);
            double w = g.getFontMetrics().stringWidth(s);
            double dx = align == Align.LEFT ? 0 : align == Align.CENTER ? -w / 2 : -w;
            g.drawString(s, (float) (x + dx), (float) y);
        }

        @Override
        public void textVertical(String s, double x, double y, int size, Color color) {
            java.awt.geom.AffineTransform saved = g.getTransform();
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
            g.setColor(color);
            g.translate(x, y);
            g.rotate(-Math.PI / 2);
            g.drawString(s, 0, 0);
            g.setTransform(saved);
        }

        @Override
        public double textWidth(String s, int size) {
            return g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, size)).stringWidth(s);
        }
    }

    static final class SvgCanvas implements Canvas {
        private final StringBuilder sb = new StringBuilder();

        SvgCanvas(int width, int height) {
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                    .append(height).append("\" font-family=\"sans-serif\">\n");
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                    x, y, w, h, hex(fill)));
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, Color color, float width) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"%.1f\"/>%n", x1, y1, x2, y2, hex(color), width));
        }

        @Override
        public void text(String s, double x, double y, int size, boolean bold, Align align, Color color) {
            String anchor = align == Align.LEFT ? "start" : align == Align.CENTER ? "middle" : "end";
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\"%s text-anchor=\"%s\" "
                    + "fill=\"%s\">%s</text>%n", x, y, size, bold ? " font-weight=\"bold\"" : "", anchor, hex(color),
                    escape(s)));
        }

        @Override
        public void textVertical(String s, double x, double y, int size, Color color) {
            sb.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" font-size=\"%d\" "
                    + "fill=\"%s\">%s</text>%n", x, y, size, hex(color), escape(s)));
        }

        @Override
        public double textWidth(String s, int size) {
            return s.length() * size * 0.6;
        }

        String finish() {
            return sb + "</svg>\n";
        }

        private static String hex(Color c) {
            return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
