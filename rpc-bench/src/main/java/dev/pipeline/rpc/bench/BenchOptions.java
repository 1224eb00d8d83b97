package dev.pipeline.rpc.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What {@link BrokerComparison} runs. Immutable and validated; build with {@link #builder()}, or from the command
 * line with {@link BenchFlags}. The defaults ({@link #builder()}) are the short run of about three minutes on two
 * cores; {@link Builder#full()} sets the longer, more precise one.
 *
 * @param transports     brokers to run ({@code kafka}, {@code redis}); empty: every one whose transport is on the
 *                       class path
 * @param duration       length of each measured point
 * @param warmup         unmeasured warm-up before each point (each implementation gets 5× this at its start)
 * @param settle         the most time spent before the first point running the implementations in turns until the
 *                       JIT compilers go quiet; zero skips it
 * @param rounds         how many times every point is measured; the report keeps each point's median round
 * @param fresh          whether every round after the first measures new instances of the implementations
 * @param inFlight       calls in flight to measure, ascending; 1 is the sequential latency point
 * @param payloads       payload sizes in bytes, ascending
 * @param outputDir      folder for {@code results.md}, {@code results.json} and {@code chart.png}
 * @param kafkaBootstrap an existing Kafka ({@code host:port[,...]}), or {@code null} to start one
 * @param redisUri       an existing Redis ({@code redis://...}), or {@code null} to start one
 * @param variants       whether Pipeline is also measured with a direct executor and with no inline calls
 * @param kafkaVariants  URI queries of extra Pipeline rows on Kafka ({@code kafka://...?QUERY})
 * @param redisVariants  the same on Redis
 * @param only           implementation labels to run (case-insensitive); empty: all
 * @param chart          whether the chart is drawn
 */
public record BenchOptions(List<String> transports, Duration duration, Duration warmup, Duration settle, int rounds,
                           boolean fresh, List<Integer> inFlight, List<Integer> payloads, Path outputDir,
                           String kafkaBootstrap, String redisUri, boolean variants, List<String> kafkaVariants,
                           List<String> redisVariants, List<String> only, boolean chart) {
    public BenchOptions {
        for (String t : transports) {
            if (!t.equals("kafka") && !t.equals("redis")) {
                throw new IllegalArgumentException("--transports: unknown transport '" + t + "'; known: kafka, redis");
            }
        }
        transports = List.copyOf(new java.util.LinkedHashSet<>(transports));
        range("--duration", duration, Duration.ofMillis(100));
        range("--warmup", warmup, Duration.ZERO);
        range("--settle", settle, Duration.ZERO);
        if (rounds < 1 || rounds > 20) {
            throw new IllegalArgumentException("--rounds must be 1..20, was " + rounds);
        }
        inFlight = sorted("--in-flight", inFlight, 4096);
        payloads = sorted("--payloads", payloads, 16 << 20);
        Objects.requireNonNull(outputDir, "outputDir");
        if (kafkaBootstrap != null && kafkaBootstrap.startsWith("kafka://")) {
            kafkaBootstrap = kafkaBootstrap.substring("kafka://".length());
        }
        if (redisUri != null && !redisUri.startsWith("redis://") && !redisUri.startsWith("rediss://")) {
            throw new IllegalArgumentException("--redis must be a redis:// or rediss:// URI, was " + redisUri);
        }
        kafkaVariants = kafkaVariants.stream().map(q -> query("--kafka-variant", q)).toList();
        redisVariants = redisVariants.stream().map(q -> query("--redis-variant", q)).toList();
        for (String name : only) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("--only needs an implementation name, e.g. --only \"raw floor\"");
            }
        }
        only = only.stream().map(String::trim).toList();
    }

    /** @return a builder holding the defaults of the short run */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the implementation labelled {@code name} is to run (see {@link #only()}). */
    boolean selects(String name) {
        return only.isEmpty() || only.stream().anyMatch(n -> n.equalsIgnoreCase(name));
    }

    @Override
    public String toString() {
        return "transports=" + (transports.isEmpty() ? "all" : String.join(",", transports)) + ", duration="
                + format(duration) + ", warmup=" + format(warmup) + ", settle≤" + format(settle) + ", rounds="
                + rounds + (fresh ? " (fresh instances)" : "") + ", in flight " + inFlight + ", payloads " + payloads
                + ", output " + outputDir + (variants ? ", variants" : "")
                + (kafkaVariants.isEmpty() ? "" : ", kafka variants " + kafkaVariants)
                + (redisVariants.isEmpty() ? "" : ", redis variants " + redisVariants)
                + (only.isEmpty() ? "" : ", only " + only);
    }

    /** {@code 500ms}, {@code 3s}, {@code 2m}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 60_000 == 0 && ms > 0 ? ms / 60_000 + "m" : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static void range(String name, Duration d, Duration min) {
        Objects.requireNonNull(d, name);
        if (d.compareTo(min) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(name + " must be " + format(min) + "..1h, was " + format(d));
        }
    }

    private static List<Integer> sorted(String name, List<Integer> values, int max) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + " needs at least one value");
        }
        for (Integer v : values) {
            if (v == null || v < 1 || v > max) {
                throw new IllegalArgumentException(name + " values must be 1.." + max + ", was " + v);
            }
        }
        return List.copyOf(new TreeSet<>(values));
    }

    private static String query(String flag, String query) {
        String q = query.trim().startsWith("?") ? query.trim().substring(1) : query.trim();
        for (String pair : q.split("&")) {
            if (pair.indexOf('=') <= 0 || pair.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(flag + ": expected a URI query such as key=value&key2=value2, got '"
                        + query + "'");
            }
        }
        return q;
    }

    /** Builder of {@link BenchOptions}; {@link #build()} validates. */
    public static final class Builder {
        private List<String> transports = List.of();
        private Duration duration = Duration.ofSeconds(2);
        private Duration warmup = Duration.ofMillis(500);
        private Duration settle = Duration.ofSeconds(15);
        private int rounds = 1;
        private boolean fresh;
        private List<Integer> inFlight = List.of(1, 64, 256);
        private List<Integer> payloads = List.of(100, 10 * 1024);
        private Path outputDir = Path.of("bench-results");
        private String kafkaBootstrap;
        private String redisUri;
        private boolean variants;
        private final List<String> kafkaVariants = new ArrayList<>();
        private final List<String> redisVariants = new ArrayList<>();
        private final List<String> only = new ArrayList<>();
        private boolean chart = true;

        private Builder() {
        }

        /** The longer run: 5 s points after 1 s, JIT settling up to 60 s, 3 rounds of fresh instances, 4 levels. */
        public Builder full() {
            return duration(Duration.ofSeconds(5)).warmup(Duration.ofSeconds(1)).settle(Duration.ofSeconds(60))
                    .rounds(3).fresh(true).inFlight(List.of(1, 16, 64, 256));
        }

        /** A smoke run: 0.5 s points after 0.25 s, no settling. */
        public Builder quick() {
            return duration(Duration.ofMillis(500)).warmup(Duration.ofMillis(250)).settle(Duration.ZERO);
        }

        public Builder transports(List<String> names) {
            this.transports = names.stream().map(n -> n.trim().toLowerCase(Locale.ROOT)).toList();
            return this;
        }

        public Builder duration(Duration d) {
            this.duration = d;
            return this;
        }

        public Builder warmup(Duration d) {
            this.warmup = d;
            return this;
        }

        public Builder settle(Duration d) {
            this.settle = d;
            return this;
        }

        public Builder rounds(int n) {
            this.rounds = n;
            return this;
        }

        public Builder fresh(boolean on) {
            this.fresh = on;
            return this;
        }

        public Builder inFlight(List<Integer> levels) {
            this.inFlight = levels;
            return this;
        }

        public Builder payloads(List<Integer> sizes) {
            this.payloads = sizes;
            return this;
        }

        public Builder outputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        public Builder kafkaBootstrap(String bootstrap) {
            this.kafkaBootstrap = bootstrap == null || bootstrap.isBlank() ? null : bootstrap.trim();
            return this;
        }

        public Builder redisUri(String uri) {
            this.redisUri = uri == null || uri.isBlank() ? null : uri.trim();
            return this;
        }

        public Builder variants(boolean on) {
            this.variants = on;
            return this;
        }

        public Builder kafkaVariant(String query) {
            kafkaVariants.add(query);
            return this;
        }

        public Builder redisVariant(String query) {
            redisVariants.add(query);
            return this;
        }

        public Builder only(String name) {
            only.add(name);
            return this;
        }

        public Builder chart(boolean on) {
            this.chart = on;
            return this;
        }

        public BenchOptions build() {
            return new BenchOptions(transports, duration, warmup, settle, rounds, fresh, inFlight, payloads, outputDir,
                    kafkaBootstrap, redisUri, variants, kafkaVariants, redisVariants, only, chart);
        }
    }
}
