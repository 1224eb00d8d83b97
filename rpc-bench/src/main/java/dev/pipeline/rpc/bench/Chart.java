package dev.pipeline.rpc.bench;

import dev.pipeline.rpc.bench.ComparisonResult.Measurement;
import dev.pipeline.rpc.bench.ComparisonResult.Role;
import dev.pipeline.rpc.tck.latency.LatencyResult;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws what a user compares, a row of panels per broker: sequential p50 and p99 by payload size, and throughput by
 * calls in flight for each payload; bars on log scales shared by the panels of a column, so the brokers' rows
 * compare at a glance. At most {@value #MAX_SERIES} series (implementations) per panel: Pipeline, the raw floor,
 * the competitor, then one variant. Diagnostics stay in the JSON.
 */
final class Chart {
    static final int MAX_SERIES = 4;
    private static final int W = 380;
    private static final int H = 240;
    private static final int LEFT = 70;
    private static final int TOP = 80;
    private static final int GAP = 90;
    /** By {@link Role}: Pipeline, floor, competitor, variant. */
    private static final Color[] COLORS = {new Color(0x1f5fa8), new Color(0x9cc3e6), new Color(0xf39c12),
        new Color(0x17a589)};

    private Chart() {
    }

    /** One bar per group of a panel. */
    record Series(String name, Role role, double[] values) {
    }

    /** One panel: a title, the groups along the x axis, and its series. */
    record Panel(String broker, String title, String unit, List<String> groups, List<Series> series) {
    }

    /** The panels, a row of them per broker. */
    static List<Panel> panels(ComparisonResult r) {
        List<Integer> payloads = r.options().payloads();
        List<Integer> levels = r.options().inFlight();
        List<Panel> panels = new ArrayList<>();
        for (String broker : r.measurements().stream().map(Measurement::broker).distinct().toList()) {
            List<Measurement> mine = r.measurements().stream().filter(m -> m.broker().equals(broker))
                    .sorted(Comparator.comparing(Measurement::role)).toList();
            List<String> names = mine.stream().map(Measurement::implementation).distinct().limit(MAX_SERIES).toList();
            List<String> sizes = payloads.stream().map(Reports::size).toList();
            if (levels.contains(1)) {
                panels.add(panel(r, broker, "sequential p50 by payload", "µs", sizes, names, mine,
                        (name, i) -> Reports.find(r, broker, name, payloads.get(i), 1), LatencyResult::p50Micros));
                panels.add(panel(r, broker, "sequential p99 by payload", "µs", sizes, names, mine,
                        (name, i) -> Reports.find(r, broker, name, payloads.get(i), 1), LatencyResult::p99Micros));
            }
            for (int p : payloads) {
                panels.add(panel(r, broker, "calls/s by calls in flight, " + Reports.size(p), "/s",
                        levels.stream().map(l -> l + " in flight").toList(), names, mine,
                        (name, i) -> Reports.find(r, broker, name, p, levels.get(i)),
                        LatencyResult::throughputPerSecond));
            }
        }
        return panels;
    }

    private static Panel panel(ComparisonResult r, String broker, String title, String unit, List<String> groups,
                               List<String> names, List<Measurement> mine,
                               java.util.function.BiFunction<String, Integer, java.util.Optional<LatencyResult>> at,
                               ToDoubleFunction<LatencyResult> metric) {
        List<Series> series = new ArrayList<>();
        for (String name : names) {
            double[] v = new double[groups.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = at.apply(name, i).map(metric::applyAsDouble).orElse(Double.NaN);
            }
            Role role = mine.stream().filter(m -> m.implementation().equals(name)).findFirst().orElseThrow().role();
            series.add(new Series(name, role, v));
        }
        return new Panel(broker, broker + ": " + title, unit, groups, series);
    }

    /** Writes the chart as PNG to {@code file} (Java2D, headless) and returns it. */
    static Path write(ComparisonResult r, Path file) throws IOException {
        List<Panel> panels = panels(r);
        List<String> brokers = panels.stream().map(Panel::broker).distinct().toList();
        int columns = Math.max(1, panels.size() / Math.max(1, brokers.size()));
        int width = LEFT + columns * (W + LEFT);
        int height = TOP + brokers.size() * (H + GAP) + 10;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("Pipeline broker comparison (log scales; lower latency and more calls/s are better)", LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(String.format(Locale.ROOT, "%s cores, %s; %s per point; closed loop; echo",
                r.machine().getOrDefault("cores", "?"), r.machine().getOrDefault("java", ""),
                BenchOptions.format(r.options().duration())), LEFT, 50);
        for (int i = 0; i < panels.size(); i++) {
            int col = i % columns;
            double[] range = range(panels, col, columns);
            draw(g, panels.get(i), LEFT + col * (W + LEFT), TOP + (i / columns) * (H + GAP), range);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /** The decades that hold every value of one column's panels. */
    private static double[] range(List<Panel> panels, int col, int columns) {
        double[] values = java.util.stream.IntStream.range(0, panels.size()).filter(i -> i % columns == col)
                .mapToObj(panels::get).flatMap(p -> p.series().stream()).flatMapToDouble(x -> Arrays.stream(x.values()))
                .filter(v -> v > 0).toArray();
        return values.length == 0 ? new double[] {1, 10} : new double[] {
            Math.pow(10, Math.floor(Math.log10(Arrays.stream(values).min().orElseThrow()))),
            Math.pow(10, Math.ceil(Math.log10(Arrays.stream(values).max().orElseThrow() * 1.05)))};
    }

    private static void draw(Graphics2D g, Panel p, int x0, int y0, double[] range) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(p.title() + " (" + p.unit() + ")", x0, y0 - 8);
        g.setColor(new Color(0xf7f7f7));
        g.fillRect(x0, y0, W, H);
        double lo = Math.log10(range[0]);
        double span = Math.log10(range[1]) - lo;
        ToDoubleFunction<Double> yOf = v -> y0 + H - (Math.log10(v) - lo) / span * H;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (double d = range[0]; d <= range[1] * 1.0001; d *= 10) {
            for (int m : new int[] {1, 2, 5}) {
                if (d * m <= range[1] * 1.0001) {
                    int y = (int) yOf.applyAsDouble(d * m);
                    g.setColor(m == 1 ? new Color(0xbbbbbb) : new Color(0xe4e4e4));
                    g.drawLine(x0, y, x0 + W, y);
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(axis(d * m), x0 - 6 - g.getFontMetrics().stringWidth(axis(d * m)), y + 4);
                }
            }
        }
        double groupW = (double) W / p.groups().size();
        double barW = Math.min(30, (groupW - 12) / Math.max(1, p.series().size()));
        for (int gi = 0; gi < p.groups().size(); gi++) {
            double gx = x0 + gi * groupW + (groupW - barW * p.series().size()) / 2;
            g.setColor(Color.BLACK);
            String label = p.groups().get(gi);
            g.drawString(label, (int) (x0 + gi * groupW + (groupW - g.getFontMetrics().stringWidth(label)) / 2),
                    y0 + H + 14);
            for (int si = 0; si < p.series().size(); si++) {
                double v = p.series().get(si).values()[gi];
                if (v > 0) {
                    int y = (int) yOf.applyAsDouble(v);
                    g.setColor(COLORS[p.series().get(si).role().ordinal()]);
                    g.fillRect((int) (gx + si * barW) + 1, y, (int) barW - 2, y0 + H - y);
                    g.setColor(Color.BLACK);
                    g.drawString(axis(v), (int) (gx + si * barW), y - 3);
                }
            }
        }
        for (int si = 0; si < p.series().size(); si++) { // legend under the panel
            int lx = x0 + (si % 2) * (W / 2);
            int ly = y0 + H + 32 + (si / 2) * 16;
            g.setColor(COLORS[p.series().get(si).role().ordinal()]);
            g.fillRect(lx, ly - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(p.series().get(si).name(), lx + 16, ly);
        }
    }

    static String axis(double v) {
        double x = v >= 1_000_000 ? v / 1_000_000 : v >= 1000 ? v / 1000 : v;
        String unit = v >= 1_000_000 ? "M" : v >= 1000 ? "k" : "";
        return (x >= 10 || Math.abs(x - Math.round(x)) < 0.05 ? Long.toString(Math.round(x))
                : String.format(Locale.ROOT, "%.1f", x)) + unit;
    }
}
