package dev.pipeline.rpc.tck.latency;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes {@link LatencyResult}s as JSON and as a Markdown table. */
public final class LatencyReport {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().create();

    private LatencyReport() {
    }

    /**
     * Formats results as JSON.
     *
     * @param results the results, in the order to list them
     * @return the results as a JSON array (one object per result, fields as in {@link LatencyResult})
     */
    public static String json(List<LatencyResult> results) {
        return GSON.toJson(results);
    }

    /**
     * Formats results as a Markdown table.
     *
     * @param results the results, one row each in this order
     * @return the table: p50, p90, p99, p99.9, max (µs) and throughput per workload
     */
    public static String markdown(List<LatencyResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("| workload | mode | in flight | payload (B) | calls | errors | p50 (µs) | p90 (µs) | p99 (µs)"
                + " | p99.9 (µs) | max (µs) | throughput (calls/s) |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LatencyResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |%n",
                    r.name().replace("|", "\\|"), r.mode(), r.inFlight(), r.payloadBytes(), r.calls(), r.errors(),
                    r.p50Micros(), r.p90Micros(), r.p99Micros(), r.p999Micros(), r.maxMicros(),
                    r.throughputPerSecond()));
        }
        return sb.toString();
    }

    /**
     * Writes {@code <dir>/<baseName>.json} and {@code <dir>/<baseName>.md}, creating {@code dir}.
     *
     * @param dir the directory, created when missing
     * @param baseName the files' name without extension
     * @param results the results
     * @return the two files written, JSON first
     */
    public static List<Path> write(Path dir, String baseName, List<LatencyResult> results) {
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve(baseName + ".json");
            Path md = dir.resolve(baseName + ".md");
            Files.writeString(json, json(results) + "\n", StandardCharsets.UTF_8);
            Files.writeString(md, markdown(results), StandardCharsets.UTF_8);
            return List.of(json, md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write latency report to " + dir + ": " + e.getMessage(), e);
        }
    }
}
