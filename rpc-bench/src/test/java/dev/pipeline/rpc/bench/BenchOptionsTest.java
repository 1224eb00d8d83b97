package dev.pipeline.rpc.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The flags as picocli parses them, and the options' validation. */
class BenchOptionsTest {
    private static BenchOptions parse(String... args) {
        return withBroker(null, args);
    }

    private static BenchOptions withBroker(String broker, String... args) {
        BenchOptions.Builder flags = BenchOptions.builder();
        new CommandLine(CommandLine.Model.CommandSpec.create().addMixin("flags",
                CommandLine.Model.CommandSpec.forAnnotatedObject(flags))).parseArgs(args);
        return flags.broker(broker).build();
    }

    @Test
    void theDefaultIsTheShortRun() {
        BenchOptions o = parse();
        assertThat(o.transports()).isEmpty();
        assertThat(o.inFlight()).containsExactly(1, 64, 256);
        assertThat(o.payloads()).containsExactly(100, 10240);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.settle()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.rounds()).isEqualTo(1);
        assertThat(o.fresh()).isFalse();
        assertThat(o.variants()).isFalse();
        assertThat(o.chart()).isTrue();
        assertThat(o.outputDir()).isEqualTo(Path.of("bench-results"));
        assertThat(o.kafkaBootstrap()).isNull();
        assertThat(o.redisUri()).isNull();
    }

    @Test
    void fullIsLongerAndGivenFlagsWinOverItsPreset() {
        BenchOptions full = parse("--full");
        assertThat(full.duration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(full.rounds()).isEqualTo(3);
        assertThat(full.fresh()).isTrue();
        assertThat(full.inFlight()).containsExactly(1, 16, 64, 256);
        assertThat(parse("--full", "--rounds", "5", "--duration=8s").duration()).isEqualTo(Duration.ofSeconds(8));
        assertThat(parse("--quick").settle()).isZero();
    }

    @Test
    void parsesEveryFlag() {
        BenchOptions o = parse("--transports", "redis,KAFKA", "--duration=1.5s", "--warmup", "500ms", "--settle", "0",
                "--in-flight", "256,1,64", "--payloads", "1KB,100", "--output", "out/x", "--kafka", "kafka://h:9092",
                "--redis=redis://h:6379", "--no-chart", "--rounds", "3", "--fresh", "--variants",
                "--kafka-variant", "?linger.ms=1", "--kafka-variant", "a=b&c=d", "--only", " raw floor ");
        assertThat(o.transports()).containsExactly("redis", "kafka");
        assertThat(o.duration()).isEqualTo(Duration.ofMillis(1500));
        assertThat(o.settle()).isZero();
        assertThat(o.inFlight()).containsExactly(1, 64, 256);
        assertThat(o.payloads()).containsExactly(100, 1024);
        assertThat(o.outputDir()).isEqualTo(Path.of("out/x"));
        assertThat(o.kafkaBootstrap()).isEqualTo("h:9092");
        assertThat(o.redisUri()).isEqualTo("redis://h:6379");
        assertThat(o.chart()).isFalse();
        assertThat(o.rounds()).isEqualTo(3);
        assertThat(o.fresh()).isTrue();
        assertThat(o.variants()).isTrue();
        assertThat(o.kafkaVariants()).containsExactly("linger.ms=1", "a=b&c=d");
        assertThat(o.only()).containsExactly("raw floor");
        assertThat(o.selects("RAW FLOOR")).isTrue();
        assertThat(o.selects("pipeline")).isFalse();
    }

    @Test
    void aBrokerUriRunsThatBrokerOnlyAtThatAddress() {
        BenchOptions kafka = withBroker("kafka://10.0.0.1:9092");
        assertThat(kafka.transports()).containsExactly("kafka");
        assertThat(kafka.kafkaBootstrap()).isEqualTo("10.0.0.1:9092");
        BenchOptions redis = withBroker("rediss://u:p@h:6380", "--duration", "1s");
        assertThat(redis.transports()).containsExactly("redis");
        assertThat(redis.redisUri()).isEqualTo("rediss://u:p@h:6380");
        assertThatThrownBy(() -> withBroker("nats://h:4222")).hasMessageContaining("kafka:// and redis://");
    }

    @Test
    void invalidValuesNameTheFlagAndWhatIsAllowed() {
        assertThatThrownBy(() -> parse("--duration", "50ms")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--duration must be 100ms..1h, was 50ms");
        assertThatThrownBy(() -> parse("--transports", "nats"))
                .hasMessage("--transports: unknown transport 'nats'; known: kafka, redis");
        assertThatThrownBy(() -> parse("--in-flight", "0,8")).hasMessage("--in-flight values must be 1..4096, was 0");
        assertThatThrownBy(() -> parse("--rounds", "0")).hasMessage("--rounds must be 1..20, was 0");
        assertThatThrownBy(() -> parse("--redis", "h:6379"))
                .hasMessage("--redis must be a redis:// or rediss:// URI, was h:6379");
        assertThatThrownBy(() -> parse("--kafka-variant", "linger.ms"))
                .hasMessage("--kafka-variant: expected a URI query such as key=value&key2=value2, got 'linger.ms'");
        assertThatThrownBy(() -> parse("--only", " ")).hasMessageContaining("--only needs an implementation name");
        assertThatThrownBy(() -> parse("--full", "--quick")).hasMessage("--full and --quick exclude each other");
        assertThatThrownBy(() -> BenchOptions.builder().payloads(List.of()).build())
                .hasMessage("--payloads needs at least one value");
    }

    @Test
    void badSyntaxIsRefusedByPicocliNamingTheValue() {
        assertThatThrownBy(() -> parse("--duration", "soon")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("soon").hasMessageContaining("not a duration (e.g. 500ms, 3s, 2m)");
        assertThatThrownBy(() -> parse("--payloads", "10XB")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("not a size (e.g. 100, 10KB): 10XB");
        assertThatThrownBy(() -> parse("--no-such-flag")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--no-such-flag");
    }
}
