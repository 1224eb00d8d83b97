package dev.pipeline.rpc.bench;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What {@link BrokerComparison} runs. Immutable and validated; build with {@link #builder()}, which also holds the
 * command-line flags. The defaults are the short run of about three minutes on two cores; {@link Builder#full()}
 * is the longer, more precise one.
 *
 * <p>Each component is the value of the flag that {@link Builder} documents ({@code transports} of
 * {@code --transports}, {@code outputDir} of {@code --output}, {@code chart} the opposite of {@code --no-chart});
 * {@code transports} empty means every transport on the class path, {@code kafkaBootstrap} and {@code redisUri}
 * null mean brokers started locally, {@code inFlight} and {@code payloads} are ascending.
 */
public record BenchOptions(List<String> transports, Duration duration, Duration warmup, Duration settle, int rounds,
                           boolean fresh, List<Integer> inFlight, List<Integer> payloads, Path outputDir,
                           String kafkaBootstrap, String redisUri, boolean variants, List<String> kafkaVariants,
                           List<String> only, boolean chart) {
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
        return (transports.isEmpty() ? "kafka,redis" : String.join(",", transports)) + "; points " + format(duration)
                + " after " + format(warmup) + ", JIT settling ≤ " + format(settle) + ", " + rounds + " round(s)"
                + (fresh ? " of fresh instances" : "") + "; in flight " + inFlight + "; payloads " + payloads
                + (variants ? "; variants" : "") + (kafkaVariants.isEmpty() ? "" : "; kafka variants " + kafkaVariants)
                + (only.isEmpty() ? "" : "; only " + only) + "; output " + outputDir;
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

    /**
     * Builder of {@link BenchOptions}, and the command-line flags as picocli parses them (a mixin of the CLI's
     * {@code bench} command). {@link #build()} validates; a value not set takes the preset's ({@code --full},
     * {@code --quick}, or the short default run).
     */
    public static final class Builder {
        @Option(names = "--full", description = "The longer, more precise run: 5s points after 1s, JIT settling up to"
                + " 60s, 3 rounds of fresh instances, 1,16,64,256 in flight (up to about 20 minutes).")
        private boolean full;

        @Option(names = "--quick", description = "A smoke run: 0.5s points after 0.25s, no settling.")
        private boolean quick;

        @Option(names = "--transports", split = ",", hideParamSyntax = true, paramLabel = "kafka,redis",
                description = "Brokers to run. Default: every transport on the class path.")
        private List<String> transports;

        @Option(names = "--duration", paramLabel = "2s", converter = DurationConverter.class,
                description = "Length of each measured point (ms, s, m). Default: 2s.")
        private Duration duration;

        @Option(names = "--warmup", paramLabel = "0.5s", converter = DurationConverter.class,
                description = "Unmeasured warm-up before each point. Default: 500ms.")
        private Duration warmup;

        @Option(names = "--settle", paramLabel = "15s", converter = DurationConverter.class,
                description = "Before the first point, at most this long running the implementations in turns until"
                        + " the JIT goes quiet; 0 skips it. Default: 15s.")
        private Duration settle;

        @Option(names = "--rounds", paramLabel = "N", description = "Measure every point N times, report the median"
                + " round. Default: 1.")
        private Integer rounds;

        @Option(names = "--fresh", description = "New instances of the implementations for every round.")
        private Boolean fresh;

        @Option(names = "--in-flight", split = ",", hideParamSyntax = true, paramLabel = "1,64,256",
                description = "Calls in flight to measure (1 = sequential latency). Default: 1,64,256.")
        private List<Integer> inFlight;

        @Option(names = "--payloads", split = ",", hideParamSyntax = true, paramLabel = "100,10KB",
                converter = SizeConverter.class, description = "Payload sizes (B, KB, MB). Default: 100,10KB.")
        private List<Integer> payloads;

        @Option(names = "--output", paramLabel = "DIR", description = "Folder for results.md, results.json and"
                + " chart.png. Default: bench-results.")
        private Path outputDir = Path.of("bench-results");

        @Option(names = "--kafka", paramLabel = "host:9092", description = "Use this Kafka instead of starting one.")
        private String kafkaBootstrap;

        @Option(names = "--redis", paramLabel = "redis://host:6379", description = "Use this Redis instead of"
                + " starting one.")
        private String redisUri;

        @Option(names = "--variants", description = "Also measure Pipeline with a direct executor.")
        private boolean variants;

        @Option(names = "--kafka-variant", paramLabel = "QUERY", description = "Also measure Pipeline on"
                + " kafka://...?QUERY (a transport option or Kafka client property); repeatable.")
        private List<String> kafkaVariants = new ArrayList<>();

        @Option(names = "--only", paramLabel = "NAME", description = "Run only the implementation labelled NAME in"
                + " the report (e.g. \"raw floor\"); repeatable.")
        private List<String> only = new ArrayList<>();

        @Option(names = "--no-chart", description = "Write no chart.")
        private boolean noChart;

        /** Use {@link BenchOptions#builder()}; picocli creates it for a mixin. */
        public Builder() {
        }

        /** The longer run: 5 s points after 1 s, JIT settling up to 60 s, 3 rounds of fresh instances, 4 levels. */
        public Builder full() {
            this.full = true;
            return this;
        }

        /** A smoke run: 0.5 s points after 0.25 s, no settling. */
        public Builder quick() {
            this.quick = true;
            return this;
        }

        public Builder transports(List<String> names) {
            this.transports = names;
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
            this.kafkaBootstrap = bootstrap;
            return this;
        }

        public Builder redisUri(String uri) {
            this.redisUri = uri;
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

        public Builder only(String name) {
            only.add(name);
            return this;
        }

        public Builder chart(boolean on) {
            this.noChart = !on;
            return this;
        }

        /**
         * Runs the broker of a {@code kafka://} or {@code redis://} URI only, at that address (the CLI's
         * {@code --broker}); null or blank changes nothing.
         */
        public Builder broker(String uri) {
            if (uri == null || uri.isBlank()) {
                return this;
            }
            String scheme = String.valueOf(URI.create(uri.trim()).getScheme()).toLowerCase(Locale.ROOT);
            switch (scheme) {
                case "kafka" -> kafkaBootstrap = URI.create(uri.trim()).getRawAuthority();
                case "redis", "rediss" -> redisUri = uri.trim();
                default -> throw new IllegalArgumentException("bench compares kafka:// and redis:// brokers, not "
                        + dev.pipeline.rpc.spi.Secrets.mask(uri.trim()));
            }
            transports = transports != null ? transports : List.of(scheme.startsWith("redis") ? "redis" : "kafka");
            return this;
        }

        /** @throws IllegalArgumentException naming the flag whose value is invalid */
        public BenchOptions build() {
            if (full && quick) {
                throw new IllegalArgumentException("--full and --quick exclude each other");
            }
            return new BenchOptions(transports == null ? List.of() : transports.stream()
                    .map(n -> n.trim().toLowerCase(Locale.ROOT)).toList(),
                    or(duration, Duration.ofSeconds(full ? 5 : 2), Duration.ofMillis(500)),
                    or(warmup, Duration.ofMillis(full ? 1000 : 500), Duration.ofMillis(250)),
                    or(settle, Duration.ofSeconds(full ? 60 : 15), Duration.ZERO), rounds != null ? rounds : full ? 3 : 1,
                    fresh != null ? fresh : full, inFlight != null ? inFlight : full ? List.of(1, 16, 64, 256)
                    : List.of(1, 64, 256), payloads != null ? payloads : List.of(100, 10 * 1024), outputDir,
                    blankToNull(kafkaBootstrap), blankToNull(redisUri), variants, kafkaVariants, only,
                    !noChart);
        }

        private <T> T or(T given, T preset, T quickPreset) {
            return given != null ? given : quick ? quickPreset : preset;
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }

    /** {@code 500ms}, {@code 3s}, {@code 1.5s}, {@code 2m}; a bare number is seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
                }
                double unit = v.endsWith("m") ? 60_000 : 1000;
                String n = v.endsWith("m") || v.endsWith("s") ? v.substring(0, v.length() - 1) : v;
                return Duration.ofMillis(Math.round(Double.parseDouble(n.trim()) * unit));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a duration (e.g. 500ms, 3s, 2m): " + value);
            }
        }
    }

    /** {@code 100}, {@code 100B}, {@code 10KB}, {@code 1MB}. */
    static final class SizeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String s = value.trim().toUpperCase(Locale.ROOT);
            int factor = s.endsWith("MB") ? 1 << 20 : s.endsWith("KB") ? 1024 : 1;
            try {
                return Math.toIntExact(Long.parseLong(s.replaceFirst("[KM]?B$", "").trim()) * factor);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("not a size (e.g. 100, 10KB): " + value);
            }
        }
    }
}
