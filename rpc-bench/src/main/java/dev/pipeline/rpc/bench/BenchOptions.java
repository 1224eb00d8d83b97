package dev.pipeline.rpc.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link BrokerComparison} runs: which brokers, how long each measurement point lasts, the calls in flight and
 * payload sizes to measure, where to write the results, and which external brokers to use instead of starting local
 * ones. Immutable; build with {@link #builder()} or parse command-line flags with {@link #parse(String...)}.
 *
 * <p>Defaults: every transport on the class path ({@code kafka}, {@code redis}), 3 s per measurement point after a
 * 1 s warm-up, 1, 16, 64 and 256 calls in flight, payloads of 100 B and 10 KB, results in {@code bench-results/},
 * local brokers started along the provisioning ladder, the raw floors and Spring Kafka's ReplyingKafkaTemplate
 * measured too. That takes about three minutes.
 */
public final class BenchOptions {
    /** The brokers this benchmark knows how to drive. */
    public static final Set<String> KNOWN_TRANSPORTS = Set.of("kafka", "redis");

    private final List<String> transports;
    private final Duration duration;
    private final Duration warmup;
    private final Duration settle;
    private final List<Integer> inFlight;
    private final List<Integer> payloads;
    private final Path outputDir;
    private final String kafkaBootstrap;
    private final String redisUri;
    private final boolean floors;
    private final boolean competitors;
    private final boolean variants;
    private final boolean transportOnly;
    private final boolean wireFloor;
    private final boolean springTyped;
    private final boolean springLargeBatches;
    private final boolean blockingThreads;
    private final boolean interleave;
    private final boolean fresh;
    private final boolean splitCore;
    private final List<String> kafkaVariants;
    private final List<String> only;
    private final List<String> redisVariants;
    private final boolean chart;
    private final int rounds;

    private BenchOptions(Builder b) {
        this.transports = List.copyOf(b.transports);
        this.duration = b.duration;
        this.warmup = b.warmup;
        this.settle = b.settle;
        this.inFlight = List.copyOf(new TreeSet<>(b.inFlight));
        this.payloads = List.copyOf(new TreeSet<>(b.payloads));
        this.outputDir = b.outputDir;
        this.kafkaBootstrap = b.kafkaBootstrap;
        this.redisUri = b.redisUri;
        this.floors = b.floors;
        this.competitors = b.competitors;
        this.variants = b.variants;
        this.transportOnly = b.transportOnly;
        this.wireFloor = b.wireFloor;
        this.springTyped = b.springTyped;
        this.springLargeBatches = b.springLargeBatches;
        this.blockingThreads = b.blockingThreads;
        this.interleave = b.interleave;
        this.fresh = b.fresh;
        this.splitCore = b.splitCore;
        this.kafkaVariants = List.copyOf(b.kafkaVariants);
        this.only = List.copyOf(b.only);
        this.redisVariants = List.copyOf(b.redisVariants);
        this.chart = b.chart;
        this.rounds = b.rounds;
    }

    /** @return a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults. */
    public static BenchOptions defaults() {
        return builder().build();
    }

    /** Brokers to run ({@code kafka}, {@code redis}); empty means every one whose transport is on the class path. */
    public List<String> transports() {
        return transports;
    }

    /** Length of each measured point (one implementation, one payload, one in-flight level). */
    public Duration duration() {
        return duration;
    }

    /** Unmeasured warm-up before each point; each implementation also gets five times this once at its start. */
    public Duration warmup() {
        return warmup;
    }

    /**
     * The most time spent, after the warm-ups and before the first point, running the implementations in turns
     * until the JIT compilers (of this JVM, and of the broker's where readable) go quiet; zero skips it.
     */
    public Duration settle() {
        return settle;
    }

    /** Calls in flight to measure, ascending; 1 is the sequential latency run. */
    public List<Integer> inFlight() {
        return inFlight;
    }

    /** Payload sizes in bytes, ascending. */
    public List<Integer> payloads() {
        return payloads;
    }

    /** Folder the Markdown, JSON and chart are written to (created if missing). */
    public Path outputDir() {
        return outputDir;
    }

    /** An existing Kafka to use ({@code host:port[,...]}), or {@code null} to follow the ladder. */
    public String kafkaBootstrap() {
        return kafkaBootstrap;
    }

    /** An existing Redis to use ({@code redis://host:port}), or {@code null} to follow the ladder. */
    public String redisUri() {
        return redisUri;
    }

    /** Whether the raw broker floors are measured (the ratios need them). */
    public boolean floors() {
        return floors;
    }

    /** Whether the competitors (Spring Kafka's ReplyingKafkaTemplate) are measured. */
    public boolean competitors() {
        return competitors;
    }

    /** Whether Pipeline is also measured with handlers on a direct executor (besides its defaults). */
    public boolean variants() {
        return variants;
    }

    /** Whether Pipeline's transports are also measured alone, at SPI level, without the JSON-RPC core. */
    public boolean transportOnly() {
        return transportOnly;
    }

    /**
     * Whether the Kafka raw floor is also measured carrying Pipeline's wire-contract headers: what the contract
     * itself costs the broker and kafka-clients, with nothing else of Pipeline's.
     */
    public boolean wireFloor() {
        return wireFloor;
    }

    /**
     * Whether Spring's ReplyingKafkaTemplate is also measured with typed JSON messages (records through Spring
     * Kafka's JSON serializers, a diagnostic row beside the byte echo that the targets compare against).
     */
    public boolean springTyped() {
        return springTyped;
    }

    /**
     * Whether Spring's ReplyingKafkaTemplate is also measured with the batch size and buffer of Pipeline's producer
     * for larger messages (a diagnostic row: what that setting alone is worth to Spring).
     */
    public boolean springLargeBatches() {
        return springLargeBatches;
    }

    /**
     * Whether to measure, under load too, blocking calls made by as many caller threads as there are calls in flight
     * (Pipeline's {@code call}, and on Kafka Spring's {@code sendAndReceive(..).get()}): diagnostic rows, as a
     * thread-per-request server calls a service.
     */
    public boolean blockingThreads() {
        return blockingThreads;
    }

    /**
     * Whether sequential points are measured with the implementations interleaved (the default): they alternate call
     * by call for the whole point ({@link Interleaved}), so a change of the machine's load falls on all of them alike
     * instead of on whichever had its turn then. Pipelined points take turns either way. Without it, sequential
     * points take turns too, and each gets CPU and Kafka-request figures (which interleaved calls cannot tell
     * apart).
     */
    public boolean interleave() {
        return interleave;
    }

    /**
     * Whether every round after the first measures new instances of the implementations (new topics or streams,
     * connections and threads), started in a rotated order. Two instances of the same implementation can differ by
     * several percent for as long as they live; with new ones each round, the median round averages that out.
     */
    public boolean fresh() {
        return fresh;
    }

    /**
     * Whether to add two diagnostic rows per broker that run Pipeline's core on one side only: Pipeline's client
     * against the transport's bare server, and the bare client against Pipeline's server.
     */
    public boolean splitCore() {
        return splitCore;
    }

    /**
     * How many times every point is measured (the implementations still take turns within a round); the report
     * keeps each point's median round. More rounds resist a disturbance on a shared machine.
     */
    public int rounds() {
        return rounds;
    }

    /**
     * URI queries of extra Pipeline rows on Kafka: each is measured as {@code kafka://...?<query>} next to the default
     * (a transport option or any Kafka client property, e.g. {@code max.in.flight.requests.per.connection=1}).
     */
    public List<String> kafkaVariants() {
        return kafkaVariants;
    }

    /**
     * Implementation names to run (as the report labels them, case-insensitive, e.g. {@code raw floor},
     * {@code pipeline, direct executor}); empty means every one the other options select.
     */
    public List<String> only() {
        return only;
    }

    /** Whether the implementation labelled {@code name} is to run (see {@link #only()}). */
    boolean selects(String name) {
        return only.isEmpty() || only.stream().anyMatch(n -> n.equalsIgnoreCase(name));
    }

    /** URI queries of extra Pipeline rows on Redis, as {@link #kafkaVariants()}. */
    public List<String> redisVariants() {
        return redisVariants;
    }

    /** Whether a chart is drawn. */
    public boolean chart() {
        return chart;
    }

    @Override
    public String toString() {
        return "transports=" + (transports.isEmpty() ? "all" : String.join(",", transports)) + ", duration="
                + Durations.format(duration) + ", warmup=" + Durations.format(warmup) + ", settle="
                + Durations.format(settle) + ", inFlight=" + inFlight
                + ", payloads=" + payloads + ", output=" + outputDir + (kafkaBootstrap != null ? ", kafka="
                + kafkaBootstrap : "") + (redisUri != null ? ", redis=" + redisUri : "") + (floors ? "" : ", no floors")
                + (competitors ? "" : ", no competitors") + (variants ? "" : ", no variants")
                + (transportOnly ? ", transport only" : "") + (wireFloor ? ", wire floor" : "")
                + (springTyped ? ", spring typed" : "") + (springLargeBatches ? ", spring large batches" : "")
                + (blockingThreads ? ", blocking threads" : "")
                + (interleave ? "" : ", sequential points in turns")
                + (fresh ? ", fresh instances each round" : "") + (splitCore ? ", split core" : "")
                + (kafkaVariants.isEmpty() ? "" : ", kafka variants=" + kafkaVariants)
                + (only.isEmpty() ? "" : ", only=" + only)
                + (redisVariants.isEmpty() ? "" : ", redis variants=" + redisVariants)
                + (rounds > 1 ? ", rounds=" + rounds : "");
    }

    /** The command-line flags {@link #parse(String...)} accepts. */
    public static String usage() {
        return String.join("\n",
                "Usage: pipeline-bench [flags]",
                "  --transports kafka,redis   brokers to run (default: every transport on the class path)",
                "  --duration 3s              length of each measured point (ms, s, m; default 3s)",
                "  --warmup 1s                unmeasured warm-up before each point (default 1s)",
                "  --settle 60s               before the first point, at most this long running the implementations",
                "                             in turns until the JIT goes quiet (0 = don't; default 60s)",
                "  --rounds 1                 measure every point this many times, report the median round",
                "  --in-flight 1,16,64,256    calls in flight to measure (1 = sequential latency)",
                "  --payloads 100,10KB        payload sizes (B, KB, MB; default 100,10KB)",
                "  --output bench-results     folder for results.md, results.json and the chart",
                "  --kafka host:9092          use this Kafka instead of starting one (also -Dpipeline.kafka.bootstrap)",
                "  --redis redis://host:6379  use this Redis instead of starting one (also -Dpipeline.redis.uri)",
                "  --no-floors                skip the raw broker floors (no ratios then)",
                "  --no-competitors           skip Spring Kafka's ReplyingKafkaTemplate",
                "  --no-variants              skip Pipeline with a direct executor and, on Kafka, with no inline calls",
                "  --transport-only           also measure Pipeline's transports alone (SPI level, no JSON-RPC core)",
                "  --wire-floor               also measure the Kafka raw floor carrying Pipeline's wire headers (as they",
                "                             are, and with the client id folded into rpc-id)",
                "  --spring-typed             also measure ReplyingKafkaTemplate with typed JSON messages (records",
                "                             through Spring Kafka's JsonSerializer/JsonDeserializer)",
                "  --spring-large-batches     also measure ReplyingKafkaTemplate with the batch size of Pipeline's",
                "                             producer for larger messages (262144, buffer.memory 128 MiB)",
                "  --blocking-threads         also measure blocking calls under load, one caller thread per call in",
                "                             flight (Pipeline's call; Spring's sendAndReceive(..).get() on Kafka)",
                "  --no-interleave            sequential points in turns like the others (by default the",
                "                             implementations alternate call by call there, all sharing the same load)",
                "  --split-core               also measure Pipeline's core on one side only (its client against the",
                "                             transport's bare server; the bare client against its server)",
                "  --fresh                    start new instances of the implementations for every round (new topics,",
                "                             connections and threads), so one instance's lasting bias averages out",
                "  --kafka-variant QUERY      also measure Pipeline on kafka://...?QUERY (a transport option or Kafka",
                "                             client property, e.g. max.in.flight.requests.per.connection=1); repeatable",
                "  --redis-variant QUERY      the same on Redis; repeatable",
                "  --only NAME                run only the implementation labelled NAME (as in the report, e.g.",
                "                             \"raw floor\", \"pipeline, direct executor\"); repeatable",
                "  --no-chart                 write no chart",
                "  --quick                    0.5s per point, 0.25s warm-up, no settling (a smoke run)",
                "  --help                     this text");
    }

    /**
     * Parses command-line flags (see {@link #usage()}); {@code --flag value} and {@code --flag=value} both work.
     *
     * @throws IllegalArgumentException with a one-line message for an unknown flag or a bad value
     */
    public static BenchOptions parse(String... args) {
        Builder b = builder();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.isBlank()) {
                continue;
            }
            String flag = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (flag) {
                case "--no-floors" -> b.floors(false);
                case "--no-competitors", "--no-spring" -> b.competitors(false);
                case "--no-chart" -> b.chart(false);
                case "--no-variants" -> b.variants(false);
                case "--transport-only" -> b.transportOnly(true);
                case "--wire-floor" -> b.wireFloor(true);
                case "--spring-typed" -> b.springTyped(true);
                case "--spring-large-batches" -> b.springLargeBatches(true);
                case "--blocking-threads" -> b.blockingThreads(true);
                case "--no-interleave" -> b.interleave(false);
                case "--fresh" -> b.fresh(true);
                case "--split-core" -> b.splitCore(true);
                case "--quick" -> b.duration(Duration.ofMillis(500)).warmup(Duration.ofMillis(250))
                        .settle(Duration.ZERO);
                case "--transports", "--duration", "--warmup", "--settle", "--rounds", "--in-flight", "--payloads", "--output", "--kafka",
                        "--redis", "--kafka-variant", "--redis-variant", "--only" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(flag + " needs a value");
                        }
                        value = args[++i];
                    }
                    String f = flag;
                    String v = value;
                    switch (f) {
                        case "--transports" -> b.transports(split(value));
                        case "--duration" -> b.duration(Durations.parse(flag, value));
                        case "--warmup" -> b.warmup(Durations.parse(flag, value));
                        case "--settle" -> b.settle(Durations.parse(flag, value));
                        case "--rounds" -> b.rounds(integer(f, v));
                        case "--in-flight" -> b.inFlight(split(v).stream().map(x -> integer(f, x)).toList());
                        case "--payloads" -> b.payloads(split(v).stream().map(x -> bytes(f, x)).toList());
                        case "--output" -> b.outputDir(Path.of(value));
                        case "--kafka" -> b.kafkaBootstrap(value);
                        case "--redis" -> b.redisUri(value);
                        case "--kafka-variant" -> b.kafkaVariant(value);
                        case "--only" -> b.only(value);
                        case "--redis-variant" -> b.redisVariant(value);
                        default -> throw new IllegalStateException(flag);
                    }
                }
                default -> throw new IllegalArgumentException("unknown flag " + arg + " (see --help)");
            }
        }
        return b.build();
    }

    private static List<String> split(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int integer(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a whole number: " + v);
        }
    }

    static int bytes(String flag, String v) {
        String s = v.trim().toUpperCase(Locale.ROOT);
        long factor = 1;
        if (s.endsWith("KB") || s.endsWith("K")) {
            factor = 1024;
            s = s.substring(0, s.length() - (s.endsWith("KB") ? 2 : 1));
        } else if (s.endsWith("MB") || s.endsWith("M")) {
            factor = 1024 * 1024;
            s = s.substring(0, s.length() - (s.endsWith("MB") ? 2 : 1));
        } else if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s.trim()) * factor;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(flag + ": too large: " + v);
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a size (e.g. 100, 10KB): " + v);
        }
    }

    /** Builder of {@link BenchOptions}; values are validated as they are set. */
    public static final class Builder {
        private final List<String> transports = new ArrayList<>();
        private Duration duration = Duration.ofSeconds(3);
        private Duration warmup = Duration.ofSeconds(1);
        private Duration settle = Duration.ofSeconds(60);
        private List<Integer> inFlight = List.of(1, 16, 64, 256);
        private List<Integer> payloads = List.of(100, 10 * 1024);
        private Path outputDir = Path.of("bench-results");
        private String kafkaBootstrap;
        private String redisUri;
        private boolean floors = true;
        private boolean competitors = true;
        private boolean variants = true;
        private boolean transportOnly;
        private boolean wireFloor;
        private boolean springTyped;
        private boolean springLargeBatches;
        private boolean blockingThreads;
        private boolean interleave = true;
        private boolean fresh;
        private boolean splitCore;
        private final List<String> kafkaVariants = new ArrayList<>();
        private final List<String> only = new ArrayList<>();
        private final List<String> redisVariants = new ArrayList<>();
        private boolean chart = true;
        private int rounds = 1;

        private Builder() {
        }

        /** Brokers to run, from {@link #KNOWN_TRANSPORTS}; none (the default) means all on the class path. */
        public Builder transports(List<String> names) {
            Objects.requireNonNull(names, "transports");
            List<String> clean = new ArrayList<>();
            for (String n : names) {
                String t = n.trim().toLowerCase(Locale.ROOT);
                if (!KNOWN_TRANSPORTS.contains(t)) {
                    throw new IllegalArgumentException("unknown transport '" + n + "'; known: "
                            + String.join(", ", new TreeSet<>(KNOWN_TRANSPORTS)));
                }
                if (!clean.contains(t)) {
                    clean.add(t);
                }
            }
            transports.clear();
            transports.addAll(clean);
            return this;
        }

        /** Length of each measured point, 100 ms..1 h (default 3 s). */
        public Builder duration(Duration d) {
            this.duration = range("duration", d, Duration.ofMillis(100), Duration.ofHours(1));
            return this;
        }

        /** Warm-up before each point, 0..1 h (default 1 s). */
        public Builder warmup(Duration d) {
            this.warmup = range("warmup", d, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /** The most time to wait for the JIT to go quiet before the first point, 0..1 h (default 60 s). */
        public Builder settle(Duration d) {
            this.settle = range("settle", d, Duration.ZERO, Duration.ofHours(1));
            return this;
        }

        /** Calls in flight to measure, each 1..4096 (default 1, 16, 64, 256). */
        public Builder inFlight(List<Integer> levels) {
            this.inFlight = nonEmpty("in-flight", levels, 1, 4096);
            return this;
        }

        /** Payload sizes in bytes, each 1..16 MiB (default 100 and 10240). */
        public Builder payloads(List<Integer> sizes) {
            this.payloads = nonEmpty("payloads", sizes, 1, 16 << 20);
            return this;
        }

        /** Output folder (default {@code bench-results}). */
        public Builder outputDir(Path dir) {
            this.outputDir = Objects.requireNonNull(dir, "outputDir");
            return this;
        }

        /** An existing Kafka ({@code host:port[,...]}, a {@code kafka://} prefix is accepted), or null. */
        public Builder kafkaBootstrap(String bootstrap) {
            this.kafkaBootstrap = blankToNull(bootstrap);
            if (kafkaBootstrap != null && kafkaBootstrap.startsWith("kafka://")) {
                kafkaBootstrap = kafkaBootstrap.substring("kafka://".length());
            }
            return this;
        }

        /** An existing Redis ({@code redis://host:port}), or null. */
        public Builder redisUri(String uri) {
            String u = blankToNull(uri);
            if (u != null && !u.startsWith("redis://") && !u.startsWith("rediss://")) {
                throw new IllegalArgumentException("--redis must be a redis:// or rediss:// URI, was " + uri);
            }
            this.redisUri = u;
            return this;
        }

        /** Whether to measure the raw floors (default true). */
        public Builder floors(boolean on) {
            this.floors = on;
            return this;
        }

        /** Whether to measure Pipeline with a direct executor too (default true). */
        public Builder variants(boolean on) {
            this.variants = on;
            return this;
        }

        /** Whether to measure Pipeline's transports alone at SPI level too (default false). */
        public Builder transportOnly(boolean on) {
            this.transportOnly = on;
            return this;
        }

        /** Adds a Pipeline row on Kafka whose URI carries {@code query} (see {@link BenchOptions#kafkaVariants()}). */
        public Builder kafkaVariant(String query) {
            kafkaVariants.add(variantQuery("--kafka-variant", query));
            return this;
        }

        /** Runs the implementation labelled {@code name} (repeatable); with none, every selected one runs. */
        public Builder only(String name) {
            Objects.requireNonNull(name, "--only");
            if (name.isBlank()) {
                throw new IllegalArgumentException("--only needs an implementation name, e.g. --only \"raw floor\"");
            }
            only.add(name.trim());
            return this;
        }

        /** Adds a Pipeline row on Redis whose URI carries {@code query}. */
        public Builder redisVariant(String query) {
            redisVariants.add(variantQuery("--redis-variant", query));
            return this;
        }

        private static String variantQuery(String flag, String query) {
            Objects.requireNonNull(query, flag);
            String q = query.trim();
            if (q.startsWith("?")) {
                q = q.substring(1);
            }
            if (q.isEmpty() || q.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(flag + ": expected a URI query such as key=value&key2=value2, got '"
                        + query + "'");
            }
            for (String pair : q.split("&")) {
                if (pair.indexOf('=') <= 0) {
                    throw new IllegalArgumentException(flag + ": '" + pair + "' is not key=value");
                }
            }
            return q;
        }

        /** Whether to measure the Kafka raw floor with Pipeline's wire headers too (default false). */
        public Builder wireFloor(boolean on) {
            this.wireFloor = on;
            return this;
        }

        /** Whether to measure ReplyingKafkaTemplate with typed JSON messages too (default false). */
        public Builder springTyped(boolean on) {
            this.springTyped = on;
            return this;
        }

        /** Whether to measure ReplyingKafkaTemplate with Pipeline's large-message batch size too (default false). */
        public Builder springLargeBatches(boolean on) {
            this.springLargeBatches = on;
            return this;
        }

        /** Whether to measure blocking calls on one caller thread per call in flight too (default false). */
        public Builder blockingThreads(boolean on) {
            this.blockingThreads = on;
            return this;
        }

        /** Whether to interleave the implementations at sequential points (default true). */
        public Builder interleave(boolean on) {
            this.interleave = on;
            return this;
        }

        /** Whether every round measures new instances of the implementations (default false). */
        public Builder fresh(boolean on) {
            this.fresh = on;
            return this;
        }

        /** Whether to add the two rows with Pipeline's core on one side only (default false). */
        public Builder splitCore(boolean on) {
            this.splitCore = on;
            return this;
        }

        /** Whether to measure the competitors (default true). */
        public Builder competitors(boolean on) {
            this.competitors = on;
            return this;
        }

        /** Rounds per point, 1..20 (default 1); the report keeps the median round of each point. */
        public Builder rounds(int n) {
            if (n < 1 || n > 20) {
                throw new IllegalArgumentException("rounds must be 1..20, was " + n);
            }
            this.rounds = n;
            return this;
        }

        /** Whether to draw the chart (default true). */
        public Builder chart(boolean on) {
            this.chart = on;
            return this;
        }

        public BenchOptions build() {
            return new BenchOptions(this);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }

        private static Duration range(String name, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be " + Durations.format(min) + ".."
                        + Durations.format(max) + ", was " + Durations.format(d));
            }
            return d;
        }

        private static List<Integer> nonEmpty(String name, List<Integer> values, int min, int max) {
            Objects.requireNonNull(values, name);
            if (values.isEmpty()) {
                throw new IllegalArgumentException(name + " must not be empty");
            }
            for (Integer v : values) {
                if (v == null || v < min || v > max) {
                    throw new IllegalArgumentException(name + " values must be " + min + ".." + max + ", was " + v);
                }
            }
            return List.copyOf(values);
        }
    }
}
