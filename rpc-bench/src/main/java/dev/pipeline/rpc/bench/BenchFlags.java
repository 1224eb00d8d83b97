package dev.pipeline.rpc.bench;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The comparison's command-line flags, parsed by picocli: a mixin of the CLI's {@code bench} command and of
 * {@link BrokerComparison#main}. {@link #options(String)} turns them into validated {@link BenchOptions}.
 */
public final class BenchFlags {
    @Option(names = "--full", description = "The longer, more precise run: 5s points after 1s, JIT settling up to"
            + " 60s, 3 rounds of fresh instances, 1,16,64,256 in flight (about 25 minutes).")
    boolean full;

    @Option(names = "--quick", description = "A smoke run: 0.5s points after 0.25s, no settling.")
    boolean quick;

    @Option(names = "--transports", split = ",", hideParamSyntax = true, paramLabel = "kafka,redis",
            description = "Brokers to run. Default: every transport on the class path.")
    List<String> transports;

    @Option(names = "--duration", paramLabel = "2s", converter = DurationConverter.class,
            description = "Length of each measured point (ms, s, m). Default: 2s.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "0.5s", converter = DurationConverter.class,
            description = "Unmeasured warm-up before each point. Default: 500ms.")
    Duration warmup;

    @Option(names = "--settle", paramLabel = "15s", converter = DurationConverter.class,
            description = "Before the first point, at most this long running the implementations in turns until the"
                    + " JIT goes quiet; 0 skips it. Default: 15s.")
    Duration settle;

    @Option(names = "--rounds", paramLabel = "N", description = "Measure every point N times, report the median"
            + " round. Default: 1.")
    Integer rounds;

    @Option(names = "--fresh", description = "New instances of the implementations for every round.")
    boolean fresh;

    @Option(names = "--in-flight", split = ",", hideParamSyntax = true, paramLabel = "1,64,256",
            description = "Calls in flight to measure (1 = sequential latency). Default: 1,64,256.")
    List<Integer> inFlight;

    @Option(names = "--payloads", split = ",", hideParamSyntax = true, paramLabel = "100,10KB", converter = SizeConverter.class,
            description = "Payload sizes (B, KB, MB). Default: 100,10KB.")
    List<Integer> payloads;

    @Option(names = "--output", paramLabel = "DIR", description = "Folder for results.md, results.json and"
            + " chart.png. Default: bench-results.")
    Path output;

    @Option(names = "--kafka", paramLabel = "host:9092", description = "Use this Kafka instead of starting one.")
    String kafka;

    @Option(names = "--redis", paramLabel = "redis://host:6379", description = "Use this Redis instead of starting"
            + " one.")
    String redis;

    @Option(names = "--variants", description = "Also measure Pipeline with a direct executor and, on Kafka, with no"
            + " inline calls.")
    boolean variants;

    @Option(names = "--kafka-variant", paramLabel = "QUERY", description = "Also measure Pipeline on"
            + " kafka://...?QUERY (a transport option or Kafka client property); repeatable.")
    List<String> kafkaVariants = new ArrayList<>();

    @Option(names = "--redis-variant", paramLabel = "QUERY", description = "The same on Redis; repeatable.")
    List<String> redisVariants = new ArrayList<>();

    @Option(names = "--only", paramLabel = "NAME", description = "Run only the implementation labelled NAME in the"
            + " report (e.g. \"raw floor\"); repeatable.")
    List<String> only = new ArrayList<>();

    @Option(names = "--no-chart", description = "Write no chart.")
    boolean noChart;

    /**
     * @param broker a {@code kafka://} or {@code redis://} URI to run that broker only, at that address, or null
     * @return the validated options
     * @throws IllegalArgumentException naming the flag whose value is invalid
     */
    public BenchOptions options(String broker) {
        if (full && quick) {
            throw new IllegalArgumentException("--full and --quick exclude each other");
        }
        BenchOptions.Builder b = BenchOptions.builder();
        if (full) {
            b.full();
        } else if (quick) {
            b.quick();
        }
        List<String> brokers = transports;
        String kafkaAt = kafka;
        String redisAt = redis;
        if (broker != null && !broker.isBlank()) {
            String scheme = String.valueOf(URI.create(broker.trim()).getScheme()).toLowerCase(Locale.ROOT);
            switch (scheme) {
                case "kafka" -> kafkaAt = URI.create(broker.trim()).getRawAuthority();
                case "redis", "rediss" -> redisAt = broker.trim();
                default -> throw new IllegalArgumentException("bench compares kafka:// and redis:// brokers, not "
                        + broker);
            }
            brokers = brokers != null ? brokers : List.of(scheme.startsWith("redis") ? "redis" : "kafka");
        }
        Optional.ofNullable(brokers).ifPresent(b::transports);
        Optional.ofNullable(duration).ifPresent(b::duration);
        Optional.ofNullable(warmup).ifPresent(b::warmup);
        Optional.ofNullable(settle).ifPresent(b::settle);
        Optional.ofNullable(rounds).ifPresent(b::rounds);
        Optional.ofNullable(inFlight).ifPresent(b::inFlight);
        Optional.ofNullable(payloads).ifPresent(b::payloads);
        Optional.ofNullable(output).ifPresent(b::outputDir);
        if (fresh) {
            b.fresh(true);
        }
        kafkaVariants.forEach(b::kafkaVariant);
        redisVariants.forEach(b::redisVariant);
        only.forEach(b::only);
        return b.kafkaBootstrap(kafkaAt).redisUri(redisAt).variants(variants).chart(!noChart).build();
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
            s = s.replaceFirst("[KM]?B$", "").trim();
            try {
                return Math.toIntExact(Long.parseLong(s) * factor);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("not a size (e.g. 100, 10KB): " + value);
            }
        }
    }
}
